import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { env } from "../../env";
import { invalid } from "../../errors";
import type { ZRegisterWorker } from "../../schemas/worker";

/** An agent says who it is. The worker is keyed by its token: a restarted agent (or one on a machine whose
 * GPUs changed) updates the same worker instead of adding another. */
export async function registerWorker(ctx: ServiceContext, input: z.output<typeof ZRegisterWorker>) {
  assertCan(ctx.actor, "worker:connect");
  const actor = ctx.actor;
  if (actor.kind !== "worker") {
    throw invalid("Agents connect with a worker token: a token whose only scope is `worker`", [{ field: "authorization", message: "not a worker token" }]);
  }
  const indices = input.gpus.map((g) => g.index);
  if (new Set(indices).size !== indices.length) throw invalid("Each GPU index may appear once", [{ field: "gpus", message: "duplicate index" }]);
  const data = { name: input.name, hostname: input.hostname, gpus: input.gpus, labels: input.labels, executor: input.executor, maxRuns: input.maxRuns, info: input.info, lastHeartbeatAt: new Date() };
  const worker = await db.$transaction(async (tx) => {
    // The token row is locked so two agents starting at once with one token make one worker, not two.
    await tx.$queryRaw`SELECT id FROM "ApiToken" WHERE id = ${actor.tokenId} FOR UPDATE`;
    const existing = await tx.worker.findFirst({ where: { tokenId: actor.tokenId, removedAt: null }, select: { id: true } });
    if (existing) return tx.worker.update({ where: { id: existing.id }, data });
    const created = await tx.worker.create({ data: { ...data, tokenId: actor.tokenId } });
    await recordAudit(tx, ctx, { action: "worker.register", targetType: "worker", targetId: created.id, details: { name: input.name, hostname: input.hostname, gpus: input.gpus.length } });
    return created;
  });
  return { id: worker.id, heartbeatSeconds: env().HEARTBEAT_SECONDS, leaseTtlSeconds: env().LEASE_TTL_SECONDS };
}
