import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getVersion } from "@/lib/services/datasets/read-versions";

export const GET = route(contracts.getVersion, async ({ actor, params }) => getVersion(actor, params.id));
