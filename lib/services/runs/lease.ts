import { can, ForbiddenError, type Actor } from "../../auth/policy";
import type { Tx } from "../../db/client";
import { DomainError } from "../../errors";

/** Fencing: only the holder of the run's newest live lease may write for it. A presumed-dead agent that wakes
 * up with an old epoch is refused, so it can never overwrite what its successor wrote. */
export async function assertLeaseEpoch(tx: Tx, actor: Actor, runId: string, epoch: number) {
  const lease = await tx.lease.findFirst({ where: { runId, releasedAt: null }, orderBy: { epoch: "desc" }, include: { worker: true } });
  if (!lease || lease.epoch !== epoch || lease.expiresAt <= new Date()) {
    throw new DomainError(`Lease epoch ${epoch} is not the run's current lease${lease ? ` (current: ${lease.epoch})` : ""}`, 409, "Stale lease", [{ field: "epoch", message: "stale or expired lease" }]);
  }
  const holder = actor.kind === "user" && actor.token && lease.worker.tokenId === actor.token.id;
  if (!holder && !can(actor, "worker:manage")) throw new ForbiddenError("worker:connect");
}
