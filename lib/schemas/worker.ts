// What the agent and the server say to each other. Shared by the server's routes and the agent process, so the
// two can't drift: the agent validates the server's answers with the same schemas the server answers with.
import { z } from "zod";
import { ZExecutor } from "./run";

export const ZLabel = z.string().trim().min(1).max(128).regex(/^[\w.-]+=[\w.:/-]*$/, "key=value, letters, digits and . _ - : / only");

/** Text a machine reports that people will read (names): one line, no control or formatting characters. */
const ZReportedText = (max: number) => z.string().max(max).regex(/^[^\p{Cc}\p{Cf}]*$/u, "one line of text without control characters");

export const ZGpu = z.strictObject({
  index: z.number().int().min(0).max(1023),
  name: ZReportedText(200),
  memoryBytes: z.number().int().min(0).max(2 ** 50),
});

/** A version as a program prints it ("3.11.2", "2.3.0+cu121"): a fact, never a sentence or a command. */
const ZVersion = z.string().max(64).regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/, "a version number");

/** What an agent reports about its machine: facts only. The Workers page words any advice from these with the
 * server's own text (lib/workers/worker-hints.ts); nothing here is shown as an instruction. */
export const ZWorkerFacts = z.object({
  cpus: z.number().int().min(0).max(100_000).optional(),
  memoryBytes: z.number().int().min(0).max(2 ** 53).optional(),
  agentVersion: ZVersion.optional(),
  python: ZVersion.nullable().optional().describe("the trainer's Python version, null when it does not start"),
  torch: ZVersion.nullable().optional().describe("PyTorch version, null when the trainer can't import it"),
  cuda: z.boolean().nullable().optional().describe("whether PyTorch sees a CUDA device (null when it can't be imported)"),
  apt: z.boolean().optional().describe("the machine installs system packages with apt-get (Debian, Ubuntu)"),
});

/** The agent process: an id it keeps in its work dir, so a restarted agent is the same one and a second agent
 * started with the same worker token is not. */
export const ZInstanceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8 to 64 letters, digits, _ or -");

export const ZRegisterWorker = z.strictObject({
  name: ZReportedText(120).trim().min(1),
  hostname: z.string().max(255).regex(/^[A-Za-z0-9._-]*$/, "a host name").default(""),
  instanceId: ZInstanceId,
  gpus: z.array(ZGpu).max(64).default([]),
  labels: z.array(ZLabel).max(50).default([]),
  executor: ZExecutor.default("LOCAL"),
  maxRuns: z.number().int().min(1).max(64).default(1),
  info: ZWorkerFacts.strict().default({}),
});

export const ZGpuSample = z.strictObject({
  gpu: z.number().int().min(0).max(1023),
  util: z.number().min(0).max(100),
  memUsed: z.number().int().min(0).max(2 ** 50),
  memTotal: z.number().int().min(0).max(2 ** 50),
});

export const ZHeartbeat = z.strictObject({
  instanceId: ZInstanceId,
  /** The agent stops (its runs handed back): another agent may attach with this token at once. */
  leaving: z.boolean().optional(),
  samples: z.array(ZGpuSample).max(64).default([]),
  /** The runs the agent is running, with the epoch of the lease it holds for each. */
  runs: z.array(z.strictObject({ runId: z.string().min(1).max(64), epoch: z.number().int().min(1) })).max(64).default([]),
});

export const ZHeartbeatAnswer = z.object({
  /** Per run the agent named: keep going (lease renewed until expiresAt) or stop it (cancelled, or the lease is
   * no longer this agent's). */
  runs: z.array(z.object({
    runId: z.string(), epoch: z.number(), action: z.enum(["continue", "stop"]), reason: z.string(), expiresAt: z.string().nullable(),
    /** Why a run is to stop: cancelled; its lease ran out and nobody took the run over ("lapsed": what the trainer
     * wrote is still taken); taken over by a newer lease; ended by another change of the run's status ("closed");
     * or not a lease this worker holds (nothing more is said about it). */
    cause: z.enum(["cancelled", "lapsed", "taken-over", "closed", "not-held"]).nullable().optional(),
  })),
  draining: z.boolean(),
  removed: z.boolean(),
});

export const ZClaim = z.strictObject({
  instanceId: ZInstanceId,
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
  info: ZWorkerFacts,
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
