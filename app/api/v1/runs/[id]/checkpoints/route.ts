import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listCheckpoints } from "@/lib/services/checkpoints/read-checkpoints";

export const GET = route(contracts.listCheckpoints, async ({ actor, params }) => ({ checkpoints: await listCheckpoints(actor, params.id) }));
