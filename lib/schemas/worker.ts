// What the agent and the server say to each other. Shared by the server's routes and the agent process, so the
// two can't drift: the agent validates the server's answers with the same schemas the server answers with.
import { z } from "zod";
import { ZExecutor } from "./run";

export const ZLabel = z.string().trim().min(1).max(128).regex(/^[\w.-]+=[\w.:/-]*$/, "key=value, letters, digits and . _ - : / only");

export const ZGpu = z.strictObject({
  index: z.number().int().min(0).max(1023),
  name: z.string().max(200),
  memoryBytes: z.number().int().min(0).max(2 ** 50),
});

export const ZRegisterWorker = z.strictObject({
  name: z.string().trim().min(1).max(120),
  hostname: z.string().max(255).default(""),
  gpus: z.array(ZGpu).max(64).default([]),
  labels: z.array(ZLabel).max(50).default([]),
  executor: ZExecutor.default("LOCAL"),
  maxRuns: z.number().int().min(1).max(64).default(1),
  info: z.strictObject({
    cpus: z.number().int().min(0).max(100_000).optional(),
    memoryBytes: z.number().int().min(0).max(2 ** 53).optional(),
    agentVersion: z.string().max(50).optional(),
    python: z.string().max(200).optional(),
    torch: z.string().max(200).nullable().optional().describe("PyTorch version, null when the trainer can't import it"),
    torchHint: z.string().max(500).optional().describe("the command that installs PyTorch on this machine"),
  }).default({}),
});

export const ZGpuSample = z.strictObject({
  gpu: z.number().int().min(0).max(1023),
  util: z.number().min(0).max(100),
  memUsed: z.number().int().min(0).max(2 ** 50),
  memTotal: z.number().int().min(0).max(2 ** 50),
});

export const ZHeartbeat = z.strictObject({
  samples: z.array(ZGpuSample).max(64).default([]),
  /** The runs the agent is running, with the epoch of the lease it holds for each. */
  runs: z.array(z.strictObject({ runId: z.string().min(1).max(64), epoch: z.number().int().min(1) })).max(64).default([]),
});

export const ZHeartbeatAnswer = z.object({
  /** Per run the agent named: keep going (lease renewed until expiresAt) or stop it (cancelled, or the lease is
   * no longer this agent's). */
  runs: z.array(z.object({ runId: z.string(), epoch: z.number(), action: z.enum(["continue", "stop"]), reason: z.string(), expiresAt: z.string().nullable() })),
  draining: z.boolean(),
  removed: z.boolean(),
});

export const ZClaim = z.strictObject({
  claimId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8 to 64 letters, digits, _ or -").optional().describe("the agent's id for this claim: a retry with it gets the same lease back"),
});

/** Everything an agent needs to run a run: the trainer reads `trainer` as its config, unchanged. */
export const ZRunSpec = z.object({
  runId: z.string(),
  name: z.string(),
  epoch: z.number(),
  leaseTtlSeconds: z.number(),
  gpuIndices: z.array(z.number()),
  executor: ZExecutor,
  trainer: z.record(z.string(), z.unknown()).describe("the trainer's config (workers/trainer README), as it reads it"),
  manifest: z.object({
    volumes: z.array(z.object({
      id: z.string(), path: z.string().optional(), url: z.string().optional(), sha256: z.string(), weight: z.number(),
      geometry: z.object({ shape: z.array(z.number()), spacing: z.array(z.number()), orientation: z.string() }).optional(),
    })),
  }).describe("the trainer's manifest; an agent that can't read a path downloads the file from GET /runs/{id}/volumes/{sha256}"),
  /** Whether to resume from the newest checkpoint (the run's retry policy); false starts over. */
  resume: z.boolean(),
  /** Resume from this checkpoint step (the run was lost or preempted after checkpointing it). */
  resumeFromStep: z.number().nullable(),
  /** That checkpoint on the server, for a worker that doesn't have it: GET /runs/{id}/checkpoints/{step}. */
  checkpoint: z.object({ step: z.number(), sha256: z.string(), bytes: z.number() }).nullable(),
  attempt: z.number(),
  /** The run's next log sequence number: an attempt on another machine goes on from there. */
  nextLogSeq: z.number(),
});
export const ZClaimAnswer = z.object({ run: ZRunSpec.nullable() });

export const WORKER_STATUSES = ["idle", "busy", "draining", "lost", "removed"] as const;
export const ZWorker = z.object({
  id: z.string(),
  name: z.string(),
  hostname: z.string(),
  status: z.enum(WORKER_STATUSES),
  owner: z.object({ id: z.string(), email: z.string() }).nullable(),
  labels: z.array(z.string()),
  executor: ZExecutor,
  maxRuns: z.number(),
  gpus: z.array(ZGpu),
  info: z.record(z.string(), z.unknown()),
  lastHeartbeatAt: z.string().nullable(),
  createdAt: z.string(),
  runs: z.array(z.object({ id: z.string(), name: z.string(), status: z.string(), epoch: z.number(), gpuIndices: z.array(z.number()) })),
  /** The latest sample per GPU. */
  latest: z.array(ZGpuSample.extend({ at: z.string() })),
});
export const ZWorkerList = z.object({ workers: z.array(ZWorker) });
export const ZWorkerSamples = z.object({ samples: z.array(ZGpuSample.extend({ at: z.string() })) });
export const ZUpdateWorker = z.strictObject({ draining: z.boolean() });
export const ZWorkerRegistered = z.object({ id: z.string(), heartbeatSeconds: z.number(), leaseTtlSeconds: z.number() });

/** The most one tus PATCH of a checkpoint upload may carry (the agent sends chunks of this size). */
export const UPLOAD_CHUNK_LIMIT = 64 * 1024 * 1024;

export const ZCheckpoint = z.object({ step: z.number(), sha256: z.string(), bytes: z.number(), createdAt: z.string() });
export const ZCheckpointList = z.object({ checkpoints: z.array(ZCheckpoint) });
