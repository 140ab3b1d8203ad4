// The team's own datasets and their versions: created by staff, edited by their creator (and admins), files
// registered from allowed server folders, indexed in the background, then published, after which a version
// never changes.
import "server-only";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, can, type Actor } from "../../auth/policy";
import { allowedRoots, resolveFolder } from "../../datasets/server-folders";
import { db } from "../../db/client";
import { conflict, notFound } from "../../errors";
import type { z } from "zod";
import type { ZCreateDataset, ZCreateVersion, ZRegisterFolder, ZUpdateDataset } from "../../schemas/dataset";

function actorId(actor: Actor) {
  if (actor.kind !== "user") throw new Error("only people create datasets");
  return actor.id;
}

function slugify(name: string) {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "dataset"
  );
}

export async function createDataset(ctx: ServiceContext, input: z.output<typeof ZCreateDataset>) {
  assertCan(ctx.actor, "dataset:write");
  const ownerId = actorId(ctx.actor);
  const base = input.slug ?? slugify(input.name);
  return db.$transaction(async (tx) => {
    let slug = base;
    for (let i = 2; await tx.dataset.findUnique({ where: { slug }, select: { id: true } }); i++) {
      if (input.slug) throw conflict(`A dataset with the slug ${slug} exists`, [{ field: "slug", message: "taken" }]);
      slug = `${base}-${i}`;
    }
    const d = await tx.dataset.create({
      data: {
        slug, name: input.name, description: input.description, host: "team", ctVolumes: null, reports: "per version",
        bodyRegion: input.bodyRegion, format: "NIfTI / DICOM", license: input.license, commercialUse: input.commercialUse,
        redistribution: input.redistribution, shareAlike: input.shareAlike, gated: input.gated,
        access: input.gated ? "team only (data-use agreement)" : "team", verified: "YES", catalog: false, ownerId,
      },
    });
    await tx.datasetLicenseChange.create({ data: { datasetId: d.id, license: input.license, note: "created" } });
    await recordAudit(tx, ctx, { action: "dataset.create", targetType: "dataset", targetId: d.id, details: { slug } });
    return d;
  });
}

export async function createVersion(ctx: ServiceContext, datasetIdOrSlug: string, input: z.output<typeof ZCreateVersion>) {
  assertCan(ctx.actor, "dataset:write");
  const d = await db.dataset.findFirst({ where: { OR: [{ id: datasetIdOrSlug }, { slug: datasetIdOrSlug }] }, select: { id: true, ownerId: true, catalog: true } });
  if (!d) throw notFound("Dataset");
  // A team dataset's versions are its owner's; a catalog dataset may be held locally by any researcher, who then
  // owns the version they create.
  if (!d.catalog) assertCan(ctx.actor, "dataset:write", { ownerId: d.ownerId });
  const createdById = actorId(ctx.actor);
  return db.$transaction(async (tx) => {
    if (await tx.datasetVersion.findUnique({ where: { datasetId_version: { datasetId: d.id, version: input.version } }, select: { id: true } })) {
      throw conflict(`Version ${input.version} exists`, [{ field: "version", message: "taken" }]);
    }
    const v = await tx.datasetVersion.create({ data: { datasetId: d.id, version: input.version, description: input.description, createdById } });
    await recordAudit(tx, ctx, { action: "dataset.version_create", targetType: "dataset_version", targetId: v.id, details: { dataset: d.id, version: input.version } });
    return v;
  });
}

/** A draft version the actor may change; published versions are immutable (409). */
export async function versionForWrite(actor: Actor, versionId: string) {
  assertCan(actor, "dataset:write");
  const v = await db.datasetVersion.findUnique({ where: { id: versionId }, select: { id: true, status: true, createdById: true, datasetId: true } });
  if (!v) throw notFound("Dataset version");
  assertCan(actor, "dataset:write", { ownerId: v.createdById });
  if (v.status === "PUBLISHED") throw conflict("This version is published, and published versions never change: create a new version");
  return v;
}

export async function registerFolder(ctx: ServiceContext, versionId: string, input: z.output<typeof ZRegisterFolder>) {
  const v = await versionForWrite(ctx.actor, versionId);
  const folder = await resolveFolder(input.root, input.folder);
  return db.$transaction(async (tx) => {
    const job = await tx.ingestJob.create({ data: { datasetVersionId: v.id, createdById: actorId(ctx.actor), source: "folder", root: input.root, folder } });
    await recordAudit(tx, ctx, { action: "dataset.register_folder", targetType: "dataset_version", targetId: v.id, details: { root: input.root, folder: input.folder, job: job.id } });
    return job;
  });
}

export async function publishVersion(ctx: ServiceContext, versionId: string) {
  const v = await versionForWrite(ctx.actor, versionId);
  return db.$transaction(async (tx) => {
    // Lock the version so a registration can't slip in between the checks and the publish.
    await tx.$queryRaw`SELECT id FROM "DatasetVersion" WHERE id = ${v.id} FOR UPDATE`;
    const busy = await tx.ingestJob.count({ where: { datasetVersionId: v.id, status: { in: ["QUEUED", "RUNNING"] } } });
    if (busy) throw conflict("Files are still being indexed: publish when ingestion has finished");
    const uploading = await tx.ingestFile.count({ where: { datasetVersionId: v.id, status: "UPLOADING" } });
    if (uploading) throw conflict(`${uploading} upload(s) have not finished: resume them (choose the same files again) or wait until they expire`);
    const waiting = await tx.ingestFile.count({ where: { datasetVersionId: v.id, status: "PENDING" } });
    if (waiting) throw conflict(`${waiting} file(s) are waiting to be indexed: publish when ingestion has finished`);
    const scans = await tx.scan.count({ where: { datasetVersionId: v.id } });
    if (!scans) throw conflict("This version has no indexed volumes yet");
    const out = await tx.datasetVersion.update({ where: { id: v.id }, data: { status: "PUBLISHED", publishedAt: new Date() } });
    await recordAudit(tx, ctx, { action: "dataset.publish", targetType: "dataset_version", targetId: v.id, details: { scans } });
    return out;
  });
}

/** Stops a queued or running ingestion (volumes indexed so far stay); a job that already ended is left as it is. */
export async function cancelIngest(ctx: ServiceContext, versionId: string, jobId: string) {
  const v = await versionForWrite(ctx.actor, versionId);
  return db.$transaction(async (tx) => {
    const job = await tx.ingestJob.findFirst({ where: { id: jobId, datasetVersionId: v.id }, select: { status: true } });
    if (!job) throw notFound("Ingestion job");
    if (job.status !== "QUEUED" && job.status !== "RUNNING") return;
    await tx.ingestJob.update({ where: { id: jobId }, data: { status: "CANCELLED", finishedAt: new Date(), lockedBy: null, lockedUntil: null } });
    // What it had not reached is reported as such, not left waiting in a job nobody will run.
    await tx.ingestFile.updateMany({ where: { jobId, status: "PENDING" }, data: { status: "FAILED", errorCode: "cancelled", error: "ingestion was stopped before this file was indexed" } });
    await recordAudit(tx, ctx, { action: "dataset.ingest_cancel", targetType: "dataset_version", targetId: v.id, details: { job: jobId } });
  });
}

/** The allowed roots, for people who may register files. */
export function datasetRoots(actor: Actor) {
  assertCan(actor, "dataset:write");
  return allowedRoots();
}

/** Whether the actor may change this version (draft, and theirs or they are an admin acting as one). */
export async function canEditVersion(actor: Actor, versionId: string) {
  const v = await db.datasetVersion.findUnique({ where: { id: versionId }, select: { status: true, createdById: true } });
  return !!v && v.status === "DRAFT" && can(actor, "dataset:write", { ownerId: v.createdById });
}

/** Whether the actor may add a version to this dataset. */
export function canAddVersion(actor: Actor, d: { catalog: boolean; ownerId: string | null }) {
  return can(actor, "dataset:write", d.catalog ? undefined : { ownerId: d.ownerId });
}

/** Edits a dataset: catalog entries by admins, team datasets by their owner (or an admin). A change of license
 * terms is kept in the license history with its note, so what runs trained under stays on record. */
export async function updateDataset(ctx: ServiceContext, idOrSlug: string, input: z.output<typeof ZUpdateDataset>) {
  const d = await db.dataset.findFirst({ where: { OR: [{ id: idOrSlug }, { slug: idOrSlug }] } });
  if (!d) throw notFound("Dataset");
  if (d.catalog) assertCan(ctx.actor, "catalog:write");
  else assertCan(ctx.actor, "dataset:write", { ownerId: d.ownerId });
  const { licenseNote, ...changes } = input;
  const terms = ["license", "commercialUse", "shareAlike", "redistribution", "gated"] as const;
  const termsChanged = terms.some((k) => changes[k] !== undefined && changes[k] !== d[k]);
  return db.$transaction(async (tx) => {
    const out = await tx.dataset.update({ where: { id: d.id }, data: changes });
    if (termsChanged) {
      const summary = `${out.license}; commercial use ${out.commercialUse.toLowerCase()}${out.shareAlike ? "; share-alike" : ""}${out.gated ? "; agreement required" : ""}`;
      await tx.datasetLicenseChange.create({ data: { datasetId: d.id, license: summary, note: licenseNote || "edited" } });
    }
    const changed = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== (d as Record<string, unknown>)[k]);
    await recordAudit(tx, ctx, { action: "dataset.update", targetType: "dataset", targetId: d.id, details: { changed, licenseNote: licenseNote ?? null } });
    return out;
  });
}
