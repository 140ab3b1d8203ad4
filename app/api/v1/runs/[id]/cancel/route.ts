import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { runSummary } from "@/lib/services/runs/run-summary";
import { cancelRun } from "@/lib/services/runs/transition-run";

export const POST = route(contracts.cancelRun, async ({ actor, ip, params }) => runSummary((await cancelRun({ actor, ip }, params.id)).id));
