// The trainer's config for a run, made from its preset and hyperparameters through the `trainer` key each
// hyperparameter declares in lib/runs/presets.ts: no second table of names to keep in step with the trainer.
import { z } from "zod";
import { PRESETS, type PresetName } from "./presets";

/** The trainer config path a hyperparameter sets, from its schema's metadata. */
export function trainerPath(preset: PresetName, field: string): string | undefined {
  const schema = (PRESETS[preset].hyper.shape as Record<string, z.ZodType>)[field];
  const meta = schema ? z.globalRegistry.get(schema) : undefined;
  return typeof meta?.trainer === "string" ? meta.trainer : undefined;
}

/** A run's stored config (preset, crop, patch and its hyperparameters) as the trainer's cfg.json. */
export function trainerConfig(config: Record<string, unknown>): Record<string, unknown> {
  const preset = String(config.preset) as PresetName;
  if (!(preset in PRESETS)) throw new Error(`unknown preset ${preset}`);
  const out: Record<string, unknown> = { preset };
  for (const field of Object.keys(PRESETS[preset].hyper.shape)) {
    const where = trainerPath(preset, field);
    if (!where || config[field] === undefined) continue;
    const parts = where.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = config[field];
  }
  return out;
}
