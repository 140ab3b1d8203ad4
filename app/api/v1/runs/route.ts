import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { createRun } from "@/lib/services/runs/create-run";
import { loadRun } from "@/lib/services/runs/get-run";
import { listRuns } from "@/lib/services/runs/list-runs";
import { toRunSummary } from "@/lib/services/runs/to-run";

export const GET = route(contracts.listRuns, async ({ actor, query }) => {
  const page = await listRuns(actor, query);
  return { runs: page.runs.map(toRunSummary), nextCursor: page.nextCursor };
});

// The creator sees what it made, even through a write-only token.
export const POST = route(contracts.createRun, async ({ actor, ip, body }) => loadRun((await createRun({ actor, ip }, body)).id));
