import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listWorkers } from "@/lib/services/workers/list-workers";
import { registerWorker } from "@/lib/services/workers/register-worker";

export const GET = route(contracts.listWorkers, async ({ actor, query }) => ({ workers: await listWorkers(actor, query.removed === "true") }));

export const POST = route(contracts.registerWorker, async ({ actor, ip, body }) => registerWorker({ actor, ip }, body));
