import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { env } from "../../env";
import { invalid } from "../../errors";
import type { ZRegisterWorker } from "../../schemas/worker";
import { assertCurrentInstance, lockWorkerOfToken } from "./worker-instance";

/** An agent says who it is. The worker is keyed by its token: a restarted agent (the same instance id, kept in its
 * work dir, or one on a machine whose GPUs changed) updates the same worker instead of adding another; a second
 * agent started with the same token while the first still heartbeats is refused (409), never merged into it. */
export async function registerWorker(ctx: ServiceContext, input: z.output<typeof ZRegisterWorker>) {
  assertCan(ctx.actor, "worker:connect");
  const actor = ctx.actor;
  if (actor.kind !== "worker") {
    throw invalid("Agents connect with a worker token: a token whose only scope is `worker`", [{ field: "authorization", message: "not a worker token" }]);
  }
  const indices = input.gpus.map((g) => g.index);
  if (new Set(indices).size !== indices.length) throw invalid("Each GPU index may appear once", [{ field: "gpus", message: "duplicate index" }]);
  const data = { name: input.name, hostname: input.hostname, gpus: input.gpus, labels: input.labels, executor: input.executor, maxRuns: input.maxRuns, info: input.info, instanceId: input.instanceId };
  const worker = await db.$transaction(async (tx) => {
    const existing = await lockWorkerOfToken(tx, actor.tokenId);
    if (existing) assertCurrentInstance(existing, input.instanceId, "register");
    const row = existing ? await tx.worker.update({ where: { id: existing.id }, data }) : await tx.worker.create({ data: { ...data, tokenId: actor.tokenId } });
    await tx.$executeRaw`UPDATE "Worker" SET "lastHeartbeatAt" = now() AT TIME ZONE 'UTC' WHERE id = ${row.id}`;
    if (!existing) await recordAudit(tx, ctx, { action: "worker.register", targetType: "worker", targetId: row.id, details: { name: input.name, hostname: input.hostname, gpus: input.gpus.length } });
    return row;
  });
  return { id: worker.id, heartbeatSeconds: env().HEARTBEAT_SECONDS, leaseTtlSeconds: env().LEASE_TTL_SECONDS };
}
