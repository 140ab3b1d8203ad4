import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listScans } from "@/lib/services/datasets/read-versions";

export const GET = route(contracts.listScans, async ({ actor, params, query }) => listScans(actor, params.id, query));
