import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { versionDuplicates } from "@/lib/services/datasets/version-insights";

export const GET = route(contracts.versionDuplicates, async ({ actor, params }) => versionDuplicates(actor, params.id));
