import "server-only";
import type { z } from "zod";
import type { ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { env } from "../../env";
import { notFound } from "../../errors";
import type { ZHeartbeat } from "../../schemas/worker";
import { renewLeases } from "../leases/renew";
import { assertCurrentInstance, type AttachedWorker } from "./worker-instance";

/** Every HEARTBEAT_SECONDS: the worker is alive, here are its GPUs' samples and the runs it runs. The answer
 * renews the leases it still holds and tells it which runs to stop (cancelled, or no longer its own). Only the
 * agent process attached as the worker may beat for it; a leaving one detaches, so another may attach at once. */
export async function heartbeatWorker(ctx: ServiceContext, workerId: string, input: z.output<typeof ZHeartbeat>) {
  assertCan(ctx.actor, "worker:connect");
  return db.$transaction(async (tx) => {
    const [worker] = await tx.$queryRaw<(AttachedWorker & { tokenId: string | null; draining: boolean; removedAt: Date | null })[]>`
      SELECT id, "tokenId", draining, "removedAt", "instanceId", hostname, NULL::float8 AS "seenSecondsAgo" FROM "Worker" WHERE id = ${workerId} FOR UPDATE`;
    if (!worker) throw notFound("Worker");
    assertCan(ctx.actor, "worker:connect", { workerTokenId: worker.tokenId });
    assertCurrentInstance(worker, input.instanceId, "heartbeat");
    const attached = input.leaving ? null : input.instanceId;
    await tx.$executeRaw`UPDATE "Worker" SET "lastHeartbeatAt" = now() AT TIME ZONE 'UTC', "instanceId" = ${attached} WHERE id = ${workerId}`;
    if (input.samples.length) {
      await tx.workerSample.createMany({ data: input.samples.map((s) => ({ workerId, gpu: s.gpu, util: s.util, memUsed: BigInt(s.memUsed), memTotal: BigInt(s.memTotal) })) });
    }
    const runs = await renewLeases(tx, workerId, input.runs, env().LEASE_TTL_SECONDS);
    return { runs, draining: worker.draining, removed: !!worker.removedAt };
  });
}
