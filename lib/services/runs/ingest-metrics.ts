import type { ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db, sqlTransaction } from "../../db/client";
import { notFound } from "../../errors";
import { ingestPoints } from "../../metrics/ingest";
import type { Point } from "../../metrics/parse-batch";
import { assertLeaseEpoch } from "./lease";
import { touchRun } from "./touch-run";

/** A whole batch or nothing: validation happened before, and the write is one transaction. Replays change nothing. */
export async function ingestMetrics(ctx: ServiceContext, runId: string, points: Point[], epoch?: number) {
  assertCan(ctx.actor, "run:read");
  const run = await db.run.findUnique({ where: { id: runId }, select: { ownerId: true, archivedAt: true } });
  if (!run) throw notFound("Run");
  if (epoch !== undefined) await db.$transaction((tx) => assertLeaseEpoch(tx, ctx.actor, runId, epoch));
  else assertCan(ctx.actor, "run:write", { ownerId: run.ownerId });
  return sqlTransaction(async (c) => {
    const counts = await ingestPoints(c, runId, points);
    await touchRun(c, runId);
    return counts;
  });
}
