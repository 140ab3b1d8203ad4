// Releases from checkpoints: a draft takes the checkpoint's weights, config and preprocessing contract into the
// blob store, adds the server's own fine-tune starter (recorded by version and sha256) and starts a model card; publishing checks the license against the training mix
// and freezes it (a published release is deprecated, never deleted or changed in what it serves).
import "server-only";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, can, type Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { db } from "../../db/client";
import { conflict, DomainError, invalid, notFound } from "../../errors";
import { CHECKPOINT_FILES, extractReleaseFiles, removeDir } from "../../releases/checkpoint-files";
import { checkReleaseLicense, type MixSource } from "../../releases/license-check";
import { modelCard } from "../../releases/model-card";
import { serverStarter, STARTER_NAME } from "../../releases/server-starter";
import type { ZCreateRelease, ZDeprecate, ZPublish, ZUpdateRelease } from "../../schemas/release";
import { assertVisible, releaseAccess } from "./release-access";

type MixEntry = { dataset: string; name: string; weight: number; license: string; version?: string | null; versionId?: string | null };

async function mixSources(mix: MixEntry[]): Promise<MixSource[]> {
  const datasets = await db.dataset.findMany({ where: { slug: { in: mix.map((m) => m.dataset) } }, select: { slug: true, name: true, license: true, commercialUse: true, shareAlike: true } });
  return datasets.map((d) => ({ name: d.name, license: d.license, commercialUse: d.commercialUse, shareAlike: d.shareAlike }));
}

export async function createRelease(ctx: ServiceContext, input: z.output<typeof ZCreateRelease>) {
  assertCan(ctx.actor, "release:write");
  if (ctx.actor.kind !== "user") throw new DomainError("Releases are made by people", 403, "Forbidden");
  const run = await db.run.findUnique({ where: { id: input.runId }, select: { id: true, name: true, preset: true, ownerId: true, datasetMix: true, license: true } });
  if (!run) throw notFound("Run");
  // Promoting a checkpoint is the run owner's call (or an admin's).
  assertCan(ctx.actor, "release:write", { ownerId: run.ownerId });
  const ckpt = await db.checkpoint.findUnique({ where: { runId_step: { runId: run.id, step: BigInt(input.step) } } });
  if (!ckpt) throw invalid(`Run ${run.name} has no checkpoint of step ${input.step}`, [{ field: "step", message: "no such checkpoint" }]);
  if (await db.release.findUnique({ where: { name_version: { name: input.name, version: input.version } }, select: { id: true } })) {
    throw conflict(`${input.name} ${input.version} exists: choose another version`, [{ field: "version", message: "taken" }]);
  }
  const id = `rel${randomUUID().replace(/-/g, "").slice(0, 21)}`;
  const tmp = path.join(os.tmpdir(), `hounsfield-release-${id}`);
  try {
    const extracted = await extractReleaseFiles(blobStore().localPath(ckpt.storageKey), tmp);
    const starter = await serverStarter();
    const files = [
      ...extracted.map((f) => ({ name: f.name as string, sha256: f.sha256, bytes: f.bytes, kind: CHECKPOINT_FILES[f.name] as string })),
      { name: STARTER_NAME, sha256: starter.sha256, bytes: starter.data.length, kind: "code" },
    ];
    const preprocessing = JSON.parse(await readFile(extracted.find((f) => f.name === "preprocessing.json")!.file, "utf8")) as Record<string, unknown>;
    const mix = (run.datasetMix ?? []) as MixEntry[];
    const metrics = await db.$queryRaw<{ key: string; value: number }[]>`
      SELECT k.key, p.value FROM "MetricKey" k
      JOIN LATERAL (SELECT value FROM "MetricPoint" p WHERE p."keyId" = k.id AND p.step <= ${BigInt(input.step)} ORDER BY p.step DESC LIMIT 1) p ON true
      WHERE k."runId" = ${run.id} AND k.key NOT LIKE 'sys/%' ORDER BY k.key LIMIT 20`;
    const card = modelCard({
      name: input.name, version: input.version, license: input.license, description: input.description, runName: run.name, preset: run.preset,
      step: input.step, mix: mix.map((m) => ({ name: m.name, dataset: m.dataset, version: m.version ?? null, weight: m.weight, license: m.license })),
      mixLicense: run.license ?? "unknown", metrics, preprocessing, starter: { version: starter.version, sha256: starter.sha256 },
    });
    for (const f of extracted) await blobStore().putFile(`releases/${id.toLowerCase()}/${f.name}`, f.file);
    await blobStore().putBuffer(`releases/${id.toLowerCase()}/${STARTER_NAME}`, starter.data);
    return await db.$transaction(async (tx) => {
      const r = await tx.release.create({
        data: {
          id, name: input.name, version: input.version, license: input.license, policy: input.policy, description: input.description, terms: input.terms,
          card, inputContract: preprocessing as object, runId: run.id, checkpointId: ckpt.id, createdById: (ctx.actor as { id: string }).id,
          starterVersion: starter.version, starterSha256: starter.sha256,
        },
      });
      for (const f of files) {
        await tx.releaseFile.create({ data: { releaseId: id, path: f.name, sha256: f.sha256, bytes: BigInt(f.bytes), storageKey: `releases/${id.toLowerCase()}/${f.name}`, kind: f.kind } });
      }
      await recordAudit(tx, ctx, { action: "release.create", targetType: "release", targetId: id, details: { name: input.name, version: input.version, run: run.id, step: input.step, starter: { version: starter.version, sha256: starter.sha256 } } });
      return r;
    });
  } finally {
    await removeDir(tmp);
  }
}

/** A release the actor may change: its creator or an admin; what it serves is fixed once published. */
async function releaseForWrite(actor: Actor, id: string) {
  assertCan(actor, "release:write");
  const r = await db.release.findUnique({ where: { id } });
  if (!r) throw notFound("Release");
  assertVisible(actor, await releaseAccess(actor, r));
  assertCan(actor, "release:write", { ownerId: r.createdById });
  return r;
}

export async function updateRelease(ctx: ServiceContext, id: string, input: z.output<typeof ZUpdateRelease>) {
  const r = await releaseForWrite(ctx.actor, id);
  const published = r.status === "PUBLISHED";
  if (published && (input.license !== undefined || input.card !== undefined)) {
    throw conflict("A published release's license and card are fixed: publish a new version", [{ field: input.license !== undefined ? "license" : "card", message: "fixed once published" }]);
  }
  const newTerms = input.terms !== undefined && input.terms !== r.terms;
  return db.$transaction(async (tx) => {
    const out = await tx.release.update({
      where: { id },
      data: {
        ...(input.card !== undefined ? { card: input.card } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.license !== undefined ? { license: input.license } : {}),
        ...(input.policy !== undefined ? { policy: input.policy } : {}),
        ...(input.autoApprove !== undefined ? { autoApprove: input.autoApprove } : {}),
        ...(input.requestFields !== undefined ? { requestFields: input.requestFields } : {}),
        // New terms on a published release: a new version everyone accepts again before their next download.
        ...(newTerms ? { terms: input.terms, termsVersion: published ? String(Number(r.termsVersion) + 1) : r.termsVersion } : {}),
      },
    });
    await recordAudit(tx, ctx, { action: "release.update", targetType: "release", targetId: id, details: { fields: Object.keys(input), termsVersion: out.termsVersion } });
    return out;
  });
}

export async function publishRelease(ctx: ServiceContext, id: string, input: z.output<typeof ZPublish>) {
  const r = await releaseForWrite(ctx.actor, id);
  if (r.status === "PUBLISHED") throw conflict("This release is published already");
  const run = r.runId ? await db.run.findUnique({ where: { id: r.runId }, select: { datasetMix: true } }) : null;
  const verdict = checkReleaseLicense(r.license, await mixSources((run?.datasetMix ?? []) as MixEntry[]));
  if (!verdict.ok) {
    // Only an administrator may override, and only with a reason that is kept with the release.
    const admin = can(ctx.actor, "access:decide");
    if (!input.licenseOverride || !admin) {
      throw new DomainError(`The license doesn't fit the training data: ${verdict.problems.join("; ")}`, 409, "License conflict", [
        { field: input.licenseOverride ? "licenseOverride" : "license", message: input.licenseOverride ? "only an administrator may override" : verdict.problems[0] },
      ]);
    }
  }
  return db.$transaction(async (tx) => {
    const out = await tx.release.update({ where: { id }, data: { status: "PUBLISHED", publishedAt: new Date(), licenseOverride: verdict.ok ? null : input.licenseOverride } });
    await recordAudit(tx, ctx, { action: "release.publish", targetType: "release", targetId: id, details: { license: r.license, override: verdict.ok ? null : input.licenseOverride, warnings: verdict.warnings } });
    return out;
  });
}

export async function deprecateRelease(ctx: ServiceContext, id: string, input: z.output<typeof ZDeprecate>) {
  const r = await releaseForWrite(ctx.actor, id);
  if (r.status !== "PUBLISHED") throw conflict("Only a published release is deprecated; delete a draft instead");
  return db.$transaction(async (tx) => {
    const out = await tx.release.update({ where: { id }, data: { deprecatedAt: new Date(), deprecationNote: input.note } });
    await recordAudit(tx, ctx, { action: "release.deprecate", targetType: "release", targetId: id, details: { note: input.note } });
    return out;
  });
}
