import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { appendLogs, readLogs } from "@/lib/services/runs/run-logs";

export const POST = route(contracts.appendLogs, async ({ actor, ip, params, body }) => appendLogs({ actor, ip }, params.id, body));

export const GET = route(contracts.readLogs, async ({ actor, params, query }) => readLogs(actor, params.id, query));
