import "server-only";
import { z } from "zod";
import { assertCan, type Actor } from "../../auth/policy";
import { PRESET_NAMES, PRESETS } from "../../runs/presets";

export function listPresets(actor: Actor) {
  assertCan(actor, "run:read");
  return PRESET_NAMES.map((name) => {
    const p = PRESETS[name];
    return { name, label: p.label, crop: [...p.crop], patch: [...p.patch], params: p.params, hyperparameters: z.toJSONSchema(p.hyper, { io: "input" }) };
  });
}
