import { z } from "zod";
import { PRESET_NAMES } from "../runs/presets";
import { ZId, ZLimit } from "./common";

export const RUN_STATUSES = ["QUEUED", "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "LOST", "PREEMPTED"] as const;
export const ZRunStatus = z.enum(RUN_STATUSES);
export const ZExecutor = z.enum(["LOCAL", "TORCHRUN", "SLURM"]);

const ZTag = z.string().trim().min(1).max(64).regex(/^[\w.:/-]+$/, "letters, digits and . _ : / - only");

export const ZMixEntry = z.strictObject({
  dataset: z.string().min(1).max(100).describe("a dataset's slug or id"),
  version: z.string().min(1).max(64).optional().describe("a published version (its name or id); default: the newest published one"),
  weight: z.number().positive().max(1000),
});

export const ZCreateRun = z.strictObject({
  name: z.string().trim().min(1, "required").max(120),
  description: z.string().max(5000).default(""),
  tags: z.array(ZTag).max(20).default([]),
  /** Required for runs a worker trains; a script's run may have none. */
  preset: z.enum(PRESET_NAMES as [string, ...string[]]).optional(),
  /** Checked against the preset's own schema (see GET /presets). */
  hyperparameters: z.record(z.string(), z.unknown()).default({}),
  /** A script's own configuration, shown and compared like a preset's (script runs only). */
  config: z.record(z.string(), z.unknown()).optional(),
  /** At least one for runs a worker trains. */
  datasetMix: z.array(ZMixEntry).max(50).default([]),
  gpus: z.number().int().min(0).max(1024).default(1),
  executor: ZExecutor.default("LOCAL"),
  workerLabels: z.array(z.string().trim().min(1).max(128).regex(/^[\w.-]+=[\w.:/-]*$/, "key=value, letters, digits and . _ - : / only")).max(20).default([]).describe("labels a worker must all carry to take the run"),
  driver: z.enum(["agent", "script"]).default("agent").describe("agent: queued for workers; script: your own script logs it (RUNNING at once, never offered to a worker)"),
  retry: z.strictObject({ maxAttempts: z.number().int().min(0).max(20).default(2), resumeFromCheckpoint: z.boolean().default(true) }).default({ maxAttempts: 2, resumeFromCheckpoint: true }),
});

export const ZRunListQuery = z.strictObject({
  status: ZRunStatus.optional(),
  tag: ZTag.optional(),
  owner: z.string().max(254).optional().describe("`me`, a user id or an email"),
  dataset: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(["created", "name", "status"]).default("created"),
  order: z.enum(["asc", "desc"]).default("desc"),
  archived: z.enum(["true", "false"]).default("false"),
  cursor: z.string().max(400).optional().describe("opaque; from nextCursor"),
  limit: ZLimit,
});

export const ZRunSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: ZRunStatus,
  tags: z.array(z.string()),
  preset: z.string(),
  owner: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  gpus: z.number(),
  executor: ZExecutor,
  license: z.string().nullable(),
  archived: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  statusChangedAt: z.string(),
});

export const ZRunEvent = z.object({ from: ZRunStatus.nullable(), to: ZRunStatus, reason: z.string(), actor: z.string(), at: z.string() });

export const ZRun = ZRunSummary.extend({
  description: z.string(),
  config: z.record(z.string(), z.unknown()),
  datasetMix: z.array(z.object({ dataset: z.string(), name: z.string(), weight: z.number(), license: z.string(), version: z.string().nullable().optional(), versionId: z.string().nullable().optional() })),
  retryPolicy: z.unknown(),
  events: z.array(ZRunEvent),
  metricKeys: z.array(z.string()),
});

export const ZRunList = z.object({ runs: z.array(ZRunSummary), nextCursor: z.string().nullable() });

export const ZTransition = z.strictObject({
  to: ZRunStatus,
  reason: z.string().max(2000).default(""),
  /** The agent's lease epoch; a stale one is refused with 409. */
  epoch: z.number().int().min(0).optional(),
});

export const ZRunParams = z.strictObject({ id: ZId });
