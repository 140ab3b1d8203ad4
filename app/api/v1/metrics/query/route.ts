import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { compareMetrics } from "@/lib/services/runs/read-metrics";

export const POST = route(contracts.compareMetrics, async ({ actor, body }) => compareMetrics(actor, body));
