// The run spec is one contract in two languages: each hyperparameter names the trainer config path it sets, and
// the trainer itself (real Python) must accept what the server makes, with every path landing on a key it knows.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PRESET_NAMES, PRESETS, type PresetName } from "../../../lib/runs/presets";
import { trainerConfig, trainerPath } from "../../../lib/runs/run-spec";

const python = process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3";
const trainerDir = path.resolve(import.meta.dirname, "../../../workers/trainer");

/** Runs the trainer's own config resolution on `cfgs` and returns its resolved configs and DEFAULTS. */
function trainerSide(cfgs: unknown[]) {
  const code = `import json, sys
from hounsfield_trainer.config import DEFAULTS, resolve_config
cfgs = json.load(sys.stdin)
print(json.dumps({"defaults": DEFAULTS, "resolved": [resolve_config(c) for c in cfgs]}))`;
  const out = execFileSync(python, ["-c", code], { cwd: trainerDir, input: JSON.stringify(cfgs), env: { ...process.env, PYTHONPATH: trainerDir } });
  return JSON.parse(out.toString()) as { defaults: Record<string, unknown>; resolved: Record<string, unknown>[] };
}

const at = (obj: Record<string, unknown>, dotted: string) => dotted.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" && k in o ? (o as Record<string, unknown>)[k] : undefined), obj);

describe("run spec", () => {
  it("every hyperparameter of every preset names a trainer path, and the trainer's default there has the same type and value", () => {
    const { defaults } = trainerSide([]);
    for (const preset of PRESET_NAMES) {
      const schema = PRESETS[preset].hyper;
      const ours = schema.parse({}) as Record<string, unknown>;
      for (const field of Object.keys(schema.shape)) {
        const where = trainerPath(preset as PresetName, field);
        expect(where, `${preset}.${field} has no trainer path`).toBeTruthy();
        expect(at(defaults, where!), `${where} is not a trainer key`).not.toBeUndefined();
        expect(typeof at(defaults, where!)).toBe(typeof ours[field]);
        expect(at(defaults, where!), `${preset}.${field} default differs from the trainer's ${where}`).toEqual(ours[field]);
      }
    }
  });

  it("the trainer resolves the config the server makes, with the user's values where they belong", () => {
    const stored = { preset: "tiny", crop: [64, 64, 32], patch: [16, 16, 8], ...PRESETS.tiny.hyper.parse({ learningRate: 0.002, steps: 7, batchSize: 3, maskRatio: 0.5, objective: "mae" }) };
    const cfg = trainerConfig(stored);
    const [resolved] = trainerSide([cfg]).resolved;
    expect(resolved).toMatchObject({ preset: "tiny", total_steps: 7, global_batch_size: 3, optim: { lr: 0.002 }, mae: { mask_ratio: 0.5 } });
    // A stored config from before a field existed still makes a valid trainer config (the trainer's default).
    const [old] = trainerSide([trainerConfig({ preset: "base", learningRate: 1e-4 })]).resolved;
    expect(old).toMatchObject({ preset: "base", optim: { lr: 1e-4 }, total_steps: 1000 });
  });
});
