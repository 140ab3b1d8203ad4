// Model presets of the reference trainer and the hyperparameters each accepts. The same schema validates a
// run on the server, drives the form in the browser, and — through each field's `trainer` key, the dotted path
// of the trainer's config it sets — makes the config the trainer reads (lib/runs/run-spec.ts). One definition:
// a test checks every path against the trainer's own defaults.
import { z } from "zod";

const common = {
  objective: z.enum(["mae", "dino"]).default("mae").meta({ trainer: "objective" }),
  steps: z.number().int().min(1).max(10_000_000).default(1000).meta({ trainer: "total_steps" }),
  batchSize: z.number().int().min(1).max(4096).default(8).meta({ trainer: "global_batch_size" }),
  learningRate: z.number().positive().max(1).default(1.5e-4).meta({ trainer: "optim.lr" }),
  warmupSteps: z.number().int().min(0).max(1_000_000).default(100).meta({ trainer: "optim.warmup_steps" }),
  weightDecay: z.number().min(0).max(1).default(0.05).meta({ trainer: "optim.weight_decay" }),
  maskRatio: z.number().min(0.1).max(0.95).default(0.75).meta({ trainer: "mae.mask_ratio" }),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0).meta({ trainer: "seed" }),
  checkpointEvery: z.number().int().min(1).max(10_000_000).default(500).meta({ trainer: "checkpoint_every" }),
  logEvery: z.number().int().min(1).max(1_000_000).default(10).meta({ trainer: "log_every" }),
};

export const PRESETS = {
  tiny: { label: "tiny (CPU tests)", crop: [64, 64, 32], patch: [16, 16, 8], params: "0.8 M", hyper: z.strictObject(common) },
  small: { label: "small", crop: [128, 128, 64], patch: [16, 16, 8], params: "22 M", hyper: z.strictObject(common) },
  base: { label: "base (ViT-B)", crop: [128, 128, 64], patch: [16, 16, 8], params: "86 M", hyper: z.strictObject(common) },
  large: { label: "large (ViT-L)", crop: [128, 128, 64], patch: [16, 16, 8], params: "304 M", hyper: z.strictObject(common) },
} as const;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
