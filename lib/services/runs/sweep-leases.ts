// A run whose lease expired is not "running": its agent stopped answering. It becomes LOST, and by its retry
// policy goes back to the queue to resume from its last checkpoint.
import { db } from "../../db/client";
import { applyTransition } from "./transition-run";

const SYSTEM = { actor: { kind: "system" as const, label: "lease sweeper" } };

export async function sweepExpiredLeases(now = new Date()) {
  const expired = await db.lease.findMany({
    where: { releasedAt: null, expiresAt: { lte: now }, run: { status: { in: ["STARTING", "RUNNING"] } } },
    include: { run: { select: { id: true, retryPolicy: true } } },
  });
  let lost = 0;
  for (const lease of expired) {
    await db.$transaction(async (tx) => {
      const claimed = await tx.lease.updateMany({ where: { id: lease.id, releasedAt: null }, data: { releasedAt: now } });
      if (claimed.count !== 1) return;
      await applyTransition(tx, SYSTEM, lease.runId, "LOST", `lease ${lease.epoch} expired at ${lease.expiresAt.toISOString()}`);
      lost++;
      const policy = lease.run.retryPolicy as { maxAttempts?: number } | null;
      const attempts = await tx.lease.count({ where: { runId: lease.runId } });
      if (attempts <= (policy?.maxAttempts ?? 0)) await applyTransition(tx, SYSTEM, lease.runId, "QUEUED", `requeued after a lost lease (attempt ${attempts + 1})`);
    });
  }
  return { lost };
}
