// Workers and runs for the integration tests of the lease path: a worker as its agent sees it, and runs on the
// sample dataset.
import { createHash } from "node:crypto";
import type { WorkerActor } from "../../lib/auth/policy";
import { db } from "../../lib/db/client";
import { ZRegisterWorker } from "../../lib/schemas/worker";
import { SAMPLE_SLUG, seedSampleDataset } from "../../lib/services/datasets/seed-sample";
import type { ImagingWork } from "../../lib/imaging/work";
import { registerWorker } from "../../lib/services/workers/register-worker";
import { makeUser } from "./factories";
import { makeRun } from "./runs";

const SYSTEM = { actor: { kind: "system" as const, label: "test" } };

/** The sample dataset (one real CT), indexed by `work` and published by a new admin, who is returned. */
export async function sample(work: ImagingWork) {
  const admin = await makeUser("ADMIN");
  await seedSampleDataset(SYSTEM, admin.user.id, work);
  return admin;
}

/** A worker as its agent sees it: a worker token (an admin's: a team worker, unless `owner` says whose),
 * registered with these GPUs by one agent instance. */
export async function makeWorker(opts: { gpus?: number; maxRuns?: number; executor?: "LOCAL" | "TORCHRUN" | "SLURM"; owner?: Awaited<ReturnType<typeof makeUser>>["user"] } = {}) {
  const user = opts.owner ?? (await makeUser("ADMIN")).user;
  const token = await db.apiToken.create({ data: { userId: user.id, name: "agent", prefix: "hfk_x", hash: createHash("sha256").update(Math.random().toString()).digest("hex"), scopes: ["worker"] } });
  const actor: WorkerActor = { kind: "worker", tokenId: token.id, userId: user.id, email: user.email, role: user.role, workerId: null };
  const ctx = { actor, ip: "198.51.100.4" };
  const gpus = Array.from({ length: opts.gpus ?? 0 }, (_, i) => ({ index: i, name: "NVIDIA H100 80GB HBM3", memoryBytes: 80 * 2 ** 30 }));
  const instanceId = `agent-${token.id}`;
  const { id } = await registerWorker(ctx, ZRegisterWorker.parse({ name: `w-${token.id}`, hostname: "gpu-node-1", instanceId, gpus, maxRuns: opts.maxRuns ?? 1, executor: opts.executor ?? "LOCAL" }));
  return { id, ctx, tokenId: token.id, owner: user, instanceId };
}

export const sampleRun = async (ctx: Parameters<typeof makeRun>[0], overrides: Record<string, unknown> = {}) =>
  makeRun(ctx, { datasetMix: [{ dataset: SAMPLE_SLUG, weight: 1 }], gpus: 0, ...overrides });
