import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, UnauthenticatedError } from "../../auth/policy";
import { db } from "../../db/client";
import { invalid, zodFieldErrors, type FieldError } from "../../errors";
import { mixLicense } from "../../runs/mix-license";
import { resolveMix } from "../datasets/resolve-mix";
import { PRESETS, type PresetName } from "../../runs/presets";
import type { ZCreateRun } from "../../schemas/run";

export async function createRun(ctx: ServiceContext, input: z.output<typeof ZCreateRun>) {
  assertCan(ctx.actor, "run:write");
  // A run has an owner; the system actor (seeds, sweeps) never makes one.
  if (ctx.actor.kind !== "user") throw new UnauthenticatedError("Runs are created by signed-in users or their tokens");
  const script = input.driver === "script";
  const errors: FieldError[] = [];
  // A worker needs a preset and data to train; a script brings its own (and its config, stored as it is).
  if (!script && !input.preset) errors.push({ field: "preset", message: "required for a run a worker trains" });
  if (!script && !input.datasetMix.length) errors.push({ field: "datasetMix", message: "choose at least one dataset" });
  if (!script && input.config) errors.push({ field: "config", message: "only for runs your own script logs; use hyperparameters" });
  if (script && input.preset && input.config) errors.push({ field: "config", message: "give a preset with hyperparameters, or your own config, not both" });
  const preset = input.preset ? PRESETS[input.preset as PresetName] : undefined;
  const hyper = preset ? preset.hyper.safeParse(input.hyperparameters) : ({ success: true, data: {} } as const);
  if (!hyper.success) errors.push(...zodFieldErrors(hyper.error, "hyperparameters"));
  // A script's mix says what it trained on (files or not); a worker's run needs published versions with files.
  const { resolved, errors: mixErrors } = await resolveMix(input.datasetMix, { requireFiles: !script });
  errors.push(...mixErrors);
  if (errors.length || !hyper.success) throw invalid("The run configuration is not valid", errors);
  const total = input.datasetMix.reduce((n, m) => n + m.weight, 0);
  const mix = resolved.map((d, i) => ({ dataset: d.dataset, name: d.name, weight: input.datasetMix[i].weight / total, license: d.license, version: d.version, versionId: d.versionId }));
  const datasets = resolved;
  const actor = ctx.actor;
  const now = new Date();
  return db.$transaction(async (tx) => {
    const run = await tx.run.create({
      data: {
        name: input.name,
        description: input.description,
        tags: [...new Set(input.tags)],
        ownerId: actor.id,
        preset: input.preset ?? "custom",
        config: preset ? { preset: input.preset, crop: [...preset.crop], patch: [...preset.patch], ...hyper.data } : ((input.config ?? {}) as object),
        datasetMix: mix,
        gpus: input.gpus,
        executor: input.executor,
        workerLabels: [...new Set(input.workerLabels)],
        retryPolicy: input.retry,
        license: mixLicense(datasets),
        driver: script ? "SCRIPT" : "AGENT",
        ...(script ? { status: "RUNNING", startedAt: now, statusChangedAt: now, lastActivityAt: now } : {}),
      },
    });
    await tx.runEvent.create({ data: { runId: run.id, from: null, to: run.status, reason: script ? "created by a script, which logs it" : "created", actor: actor.email, at: now } });
    await recordAudit(tx, ctx, { action: "run.create", targetType: "run", targetId: run.id, details: { name: run.name, preset: run.preset } });
    return run;
  });
}
