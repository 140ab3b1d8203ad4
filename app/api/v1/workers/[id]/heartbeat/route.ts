import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { heartbeatWorker } from "@/lib/services/workers/heartbeat-worker";

export const POST = route(contracts.heartbeat, async ({ actor, ip, params, body }) => heartbeatWorker({ actor, ip }, params.id, body));
