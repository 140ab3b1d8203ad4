import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { archiveRun } from "@/lib/services/runs/archive-run";
import { runSummary } from "@/lib/services/runs/run-summary";

export const POST = route(contracts.unarchiveRun, async ({ actor, ip, params }) => runSummary((await archiveRun({ actor, ip }, params.id, false)).id));
