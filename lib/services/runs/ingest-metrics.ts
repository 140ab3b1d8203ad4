import "server-only";
import type { ServiceContext } from "../../audit/record-audit";
import { sqlTransaction } from "../../db/client";
import { notFound } from "../../errors";
import { ingestPoints } from "../../metrics/ingest";
import type { Point } from "../../metrics/parse-batch";
import { assertReporter } from "../leases/fence";
import { touchRun } from "./touch-run";

/** A whole batch or nothing: validation happened before, and the checks and the write are one transaction.
 * Replays change nothing. */
export async function ingestMetrics(ctx: ServiceContext, runId: string, points: Point[], epoch?: number) {
  return sqlTransaction(async (c) => {
    // KEY SHARE: a delete of this run waits for the batch (and the batch for the delete), so no point is
    // left behind without its run.
    const run = (await c.query<{ ownerId: string }>(`SELECT "ownerId" FROM "Run" WHERE id = $1 FOR KEY SHARE`, [runId])).rows[0];
    if (!run) throw notFound("Run");
    await assertReporter(c, ctx.actor, runId, run.ownerId, epoch, "data");
    const counts = await ingestPoints(c, runId, points);
    await touchRun(c, runId);
    return counts;
  });
}
