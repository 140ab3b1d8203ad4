// Giving a queued run to a worker. The oldest queued run that fits the worker's free GPUs is locked with
// FOR UPDATE SKIP LOCKED, so concurrent claims never wait on each other and never take the same run; the lease
// gets the next epoch of that run, which every later call of the agent carries (fencing).
import "server-only";
import path from "node:path";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db, type Tx } from "../../db/client";
import { env } from "../../env";
import { conflict, notFound } from "../../errors";
import { trainerConfig } from "../../runs/run-spec";
import type { ZRunSpec } from "../../schemas/worker";
import { applyTransition } from "../runs/transition-run";
import { assertCurrentInstance, type AttachedWorker } from "../workers/worker-instance";

type RunSpec = z.output<typeof ZRunSpec>;
type Candidate = { id: string; name: string; gpus: number; config: Record<string, unknown>; datasetMix: { dataset: string; weight: number }[]; executor: "LOCAL" | "TORCHRUN" | "SLURM"; retryPolicy: { resumeFromCheckpoint?: boolean } | null };

/** Which runs a worker's executor may take: its own kind, and a torchrun worker also takes plain local runs. */
const TAKES = { LOCAL: ["LOCAL"], TORCHRUN: ["LOCAL", "TORCHRUN"], SLURM: ["SLURM"] } as const;

/** `instanceId`: the agent process claiming (the route always passes it); one that is not attached as the worker is
 * refused, so an agent another one replaced can't take runs. */
export async function claimRun(ctx: ServiceContext, workerId: string, claimId?: string, instanceId?: string): Promise<RunSpec | null> {
  assertCan(ctx.actor, "worker:connect");
  return db.$transaction(async (tx) => {
    // The worker row is locked so two claims of one agent can't both count the same GPUs as free.
    const [worker] = await tx.$queryRaw<(AttachedWorker & { tokenId: string | null; gpus: { index: number }[]; maxRuns: number; executor: keyof typeof TAKES; draining: boolean; removedAt: Date | null; labels: string[] })[]>`
      SELECT id, "tokenId", gpus, "maxRuns", executor, draining, "removedAt", labels, "instanceId", hostname, NULL::float8 AS "seenSecondsAgo" FROM "Worker" WHERE id = ${workerId} FOR UPDATE`;
    if (!worker) throw notFound("Worker");
    assertCan(ctx.actor, "worker:connect", { workerTokenId: worker.tokenId });
    if (instanceId !== undefined) assertCurrentInstance(worker, instanceId, "claim");
    if (worker.removedAt) throw conflict("This worker was removed; register again with a new token", [{ field: "id", message: "removed" }]);
    if (claimId) {
      // A retry of a claim whose answer was lost: the same lease again, while it is still the agent's to start.
      const [earlier] = await tx.$queryRaw<{ runId: string; epoch: number; gpuIndices: number[]; live: boolean }[]>`
        SELECT l."runId", l.epoch, l."gpuIndices", l."releasedAt" IS NULL AND r.status = 'STARTING' AS live
        FROM "Lease" l JOIN "Run" r ON r.id = l."runId" WHERE l."workerId" = ${workerId} AND l."claimId" = ${claimId}`;
      if (earlier) {
        if (!earlier.live) return null;
        const [again] = await tx.$queryRawUnsafe<Candidate[]>(`SELECT id, name, gpus, config, "datasetMix", executor, "retryPolicy" FROM "Run" WHERE id = $1`, earlier.runId);
        return specFor(tx, again, earlier.epoch, earlier.gpuIndices ?? [], await manifestFor(tx, again.datasetMix));
      }
    }
    if (worker.draining) return null;
    const live = await tx.$queryRaw<{ gpuIndices: number[] }[]>`
      SELECT "gpuIndices" FROM "Lease" WHERE "workerId" = ${workerId} AND "releasedAt" IS NULL`;
    if (live.length >= worker.maxRuns) return null;
    const used = new Set(live.flatMap((l) => l.gpuIndices ?? []));
    const free = worker.gpus.map((g) => g.index).filter((i) => !used.has(i));
    const takes = [...TAKES[worker.executor]];
    // A worker attached with an administrator's token serves the team; one a researcher attaches takes only that
    // researcher's runs (their data and metrics never pass through someone else's machine).
    const actor = ctx.actor;
    const onlyOwner = actor.kind === "worker" && actor.role !== "ADMIN" ? actor.userId : null;
    const [run] = await tx.$queryRawUnsafe<Candidate[]>(
      `SELECT id, name, gpus, config, "datasetMix", executor, "retryPolicy" FROM "Run"
       WHERE status = 'QUEUED' AND driver = 'AGENT' AND "archivedAt" IS NULL AND gpus <= $1 AND executor::text = ANY($2::text[])
         AND coalesce("workerLabels", '{}') <@ $3::text[] AND ($4::text IS NULL OR "ownerId" = $4)
       ORDER BY "statusChangedAt", id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      free.length,
      takes,
      worker.labels ?? [],
      onlyOwner,
    );
    if (!run) return null;
    const gpuIndices = free.slice(0, run.gpus);
    const [{ epoch }] = await tx.$queryRaw<{ epoch: number }[]>`SELECT coalesce(max(epoch), 0) + 1 AS epoch FROM "Lease" WHERE "runId" = ${run.id}`;
    const ttl = env().LEASE_TTL_SECONDS;
    await tx.$executeRaw`INSERT INTO "Lease" (id, "runId", "workerId", epoch, "gpuIndices", "claimId", "expiresAt", "createdAt")
      VALUES (${`lease_${run.id}_${epoch}`}, ${run.id}, ${workerId}, ${epoch}, ${gpuIndices}, ${claimId ?? null}, (now() AT TIME ZONE 'UTC') + make_interval(secs => ${ttl}), now() AT TIME ZONE 'UTC')`;
    const manifest = await manifestFor(tx, run.datasetMix);
    if (!manifest.volumes.length) {
      await applyTransition(tx, ctx, run.id, "STARTING", `claimed by worker ${workerId} (lease ${epoch})`);
      await applyTransition(tx, ctx, run.id, "FAILED", `none of the run's datasets (${run.datasetMix.map((m) => m.dataset).join(", ")}) has indexed CT files to train on`);
      return null;
    }
    await applyTransition(tx, ctx, run.id, "STARTING", `claimed by worker ${workerId} (lease ${epoch}${gpuIndices.length ? `, GPUs ${gpuIndices.join(",")}` : ""})`);
    await recordAudit(tx, ctx, { action: "run.claim", targetType: "run", targetId: run.id, details: { workerId, epoch, gpuIndices } });
    return specFor(tx, run, epoch, gpuIndices, manifest);
  });
}

/** What the agent is handed for a lease: the trainer's config, the data, where to resume from. */
async function specFor(tx: Tx, run: Candidate, epoch: number, gpuIndices: number[], manifest: RunSpec["manifest"]): Promise<RunSpec> {
  const resume = run.retryPolicy?.resumeFromCheckpoint !== false;
  const [ckpt] = resume
    ? await tx.$queryRaw<{ step: bigint; sha256: string; bytes: bigint }[]>`
        SELECT step, sha256, bytes FROM "Checkpoint" WHERE "runId" = ${run.id} ORDER BY step DESC LIMIT 1`
    : [];
  const [{ next }] = await tx.$queryRaw<{ next: number }[]>`SELECT (coalesce(max(seq), -1) + 1)::int AS next FROM "LogChunk" WHERE "runId" = ${run.id}`;
  return {
    runId: run.id,
    name: run.name,
    epoch,
    leaseTtlSeconds: env().LEASE_TTL_SECONDS,
    gpuIndices,
    executor: run.executor,
    trainer: trainerConfig(run.config),
    manifest,
    resume,
    resumeFromStep: ckpt ? Number(ckpt.step) : null,
    checkpoint: ckpt ? { step: Number(ckpt.step), sha256: ckpt.sha256, bytes: Number(ckpt.bytes) } : null,
    attempt: epoch,
    nextLogSeq: next,
  };
}

/** The volumes of the dataset versions recorded in the run's mix, each with its geometry (which the trainer
 * checks against the file). Paths are the server's own, resolved here, never taken from a request; an agent that
 * can't read them downloads each file by its sha256 (GET /runs/{id}/volumes/{sha256}). A DICOM series is read
 * through the NIfTI made when it was indexed. Mixes recorded before versions were (no versionId) use the newest
 * published version. */
async function manifestFor(tx: Tx, mix: { dataset: string; weight: number; versionId?: string | null }[]) {
  const volumes: RunSpec["manifest"]["volumes"] = [];
  for (const m of mix) {
    // A DICOM series trains from its NIfTI export (trainPath); a NIfTI volume from its own file.
    const scans = await tx.$queryRaw<{ id: string; path: string; sha256: string; dims: number[]; spacing: number[]; orientation: string }[]>`
      SELECT s.id, COALESCE(s."trainPath", s.path) AS path, COALESCE(s."trainSha256", s.sha256) AS sha256, s.dims, s.spacing, s.orientation FROM "Scan" s
      WHERE (s.format <> 'dicom' OR s."trainPath" IS NOT NULL) AND s."datasetVersionId" = COALESCE(${m.versionId ?? null}::text, (
        SELECT v.id FROM "Dataset" d JOIN "DatasetVersion" v ON v."datasetId" = d.id AND v.status = 'PUBLISHED'
        WHERE d.slug = ${m.dataset} OR d.id = ${m.dataset} ORDER BY v."publishedAt" DESC NULLS LAST LIMIT 1))
      ORDER BY s.path`;
    for (const s of scans) {
      volumes.push({ id: s.id, path: path.resolve(s.path), sha256: s.sha256, weight: m.weight / scans.length, geometry: { shape: s.dims, spacing: s.spacing, orientation: s.orientation } });
    }
  }
  return { volumes };
}
