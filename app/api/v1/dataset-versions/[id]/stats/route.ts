import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { versionStats } from "@/lib/services/datasets/version-insights";

export const GET = route(contracts.versionStats, async ({ actor, params }) => versionStats(actor, params.id));
