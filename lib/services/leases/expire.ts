// A run whose lease expired is not "running": its agent stopped answering. It becomes LOST, and by its retry
// policy goes back to the queue to resume from its last checkpoint. A run driven without a lease (a user's own
// script logging through the API) is LOST once it has written nothing for RUN_STALE_MINUTES.
import "server-only";
import { db } from "../../db/client";
import { env } from "../../env";
import { applyTransition } from "../runs/transition-run";

const SYSTEM = { actor: { kind: "system" as const, label: "lease sweeper" } };

export async function sweepExpiredLeases(now = new Date()) {
  const expired = await db.lease.findMany({
    where: { releasedAt: null, expiresAt: { lte: now }, run: { status: { in: ["STARTING", "RUNNING"] } } },
    include: { run: { select: { id: true, retryPolicy: true } } },
  });
  let lost = 0;
  for (const lease of expired) {
    // One run that changed meanwhile (or fails) must not hold up the others.
    await db.$transaction(async (tx) => {
      // Run row first, then lease: the same order as the writes that check a lease, so the two never deadlock.
      const [run] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "Run" WHERE id = ${lease.runId} FOR UPDATE`;
      if (!run || !["STARTING", "RUNNING"].includes(run.status)) return;
      const claimed = await tx.lease.updateMany({ where: { id: lease.id, releasedAt: null }, data: { releasedAt: now } });
      if (claimed.count !== 1) return;
      await applyTransition(tx, SYSTEM, lease.runId, "LOST", `lease ${lease.epoch} expired at ${lease.expiresAt.toISOString()}`);
      lost++;
      const policy = lease.run.retryPolicy as { maxAttempts?: number } | null;
      const attempts = await tx.lease.count({ where: { runId: lease.runId } });
      if (attempts <= (policy?.maxAttempts ?? 0)) await applyTransition(tx, SYSTEM, lease.runId, "QUEUED", `requeued after a lost lease (attempt ${attempts + 1})`);
    }).catch((e) => console.error(`lease sweep of run ${lease.runId}: ${(e as Error).message}`));
  }
  lost += await sweepSilentRuns(now);
  return { lost };
}

async function sweepSilentRuns(now: Date) {
  const minutes = env().RUN_STALE_MINUTES;
  const cutoff = new Date(now.getTime() - minutes * 60_000);
  const silent = await db.run.findMany({
    where: {
      status: { in: ["STARTING", "RUNNING"] },
      leases: { none: { releasedAt: null } },
      OR: [{ lastActivityAt: { lt: cutoff } }, { lastActivityAt: null, statusChangedAt: { lt: cutoff } }],
    },
    select: { id: true },
  });
  let lost = 0;
  for (const run of silent) {
    await db.$transaction(async (tx) => {
      // Re-check under the row lock: a write may have arrived since the query above.
      const [row] = await tx.$queryRaw<{ status: string; lastActivityAt: Date | null }[]>`SELECT status, "lastActivityAt" FROM "Run" WHERE id = ${run.id} FOR UPDATE`;
      if (!row || !["STARTING", "RUNNING"].includes(row.status) || (row.lastActivityAt && row.lastActivityAt >= cutoff)) return;
      await applyTransition(tx, SYSTEM, run.id, "LOST", `no metrics, logs or status change for ${minutes} minutes`);
      lost++;
    }).catch((e) => console.error(`silence sweep of run ${run.id}: ${(e as Error).message}`));
  }
  return lost;
}
