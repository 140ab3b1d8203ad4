import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { runSummary } from "@/lib/services/runs/run-summary";
import { transitionRun } from "@/lib/services/runs/transition-run";

export const POST = route(contracts.transitionRun, async ({ actor, ip, params, body }) => runSummary((await transitionRun({ actor, ip }, params.id, body)).id));
