import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { conflict, notFound } from "../../errors";
import { revokeLineage } from "../tokens/revoke-token";

/** Draining: the worker finishes what it runs and claims nothing new (its agent learns it with the next
 * heartbeat). */
export async function setDraining(ctx: ServiceContext, id: string, draining: boolean) {
  assertCan(ctx.actor, "worker:manage");
  return db.$transaction(async (tx) => {
    const w = await tx.worker.findUnique({ where: { id }, select: { removedAt: true } });
    if (!w) throw notFound("Worker");
    if (w.removedAt) throw conflict("This worker was removed", [{ field: "id", message: "removed" }]);
    await tx.worker.update({ where: { id }, data: { draining } });
    await recordAudit(tx, ctx, { action: draining ? "worker.drain" : "worker.undrain", targetType: "worker", targetId: id });
  });
}

/** Removes a worker and revokes its token: its agent's next call is refused, and its runs' leases are left to
 * expire, so they are requeued by the sweep like any lost run's. */
export async function removeWorker(ctx: ServiceContext, id: string) {
  assertCan(ctx.actor, "worker:manage");
  return db.$transaction(async (tx) => {
    const w = await tx.worker.findUnique({ where: { id }, select: { removedAt: true, tokenId: true } });
    if (!w) throw notFound("Worker");
    if (w.removedAt) return;
    // Token row first, then the worker: the order registerWorker locks them in, so the two never deadlock.
    if (w.tokenId) await tx.$queryRaw`SELECT id FROM "ApiToken" WHERE id = ${w.tokenId} FOR UPDATE`;
    await tx.worker.update({ where: { id }, data: { removedAt: new Date(), draining: true } });
    if (w.tokenId) await revokeLineage(tx, w.tokenId);
    await recordAudit(tx, ctx, { action: "worker.remove", targetType: "worker", targetId: id });
  });
}
