// Reading dataset versions: what everyone may see (published versions, geometry, statistics, duplicates by voxel
// content) and what only staff may (drafts, ingestion problems, DICOM patient and study identifiers, reports).
import "server-only";
import { assertCan, can, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import type { Prisma } from "../../../generated/prisma/client";
import { stat } from "node:fs/promises";
import path from "node:path";

export const inspects = (actor: Actor) => can(actor, "dataset:inspect");

/** Clinicians see only published versions; a draft is "not found" to them. */
function visible(actor: Actor): Prisma.DatasetVersionWhereInput {
  return inspects(actor) ? {} : { status: "PUBLISHED" };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type JobRow = Prisma.IngestJobGetPayload<object>;

export function toJob(j: JobRow) {
  const done = Number(j.doneBytes);
  const total = Number(j.totalBytes);
  const elapsed = j.startedAt ? (Date.now() - j.startedAt.getTime()) / 1000 : 0;
  const running = j.status === "RUNNING" || j.status === "QUEUED";
  const eta = running && j.listed && done > 0 && elapsed > 0 ? ((total - done) * elapsed) / done : null;
  return {
    id: j.id, source: j.source, folder: j.folder ? path.basename(j.folder) : null, status: j.status, listed: j.listed,
    totalFiles: j.totalFiles, doneFiles: j.doneFiles, failedFiles: j.failedFiles, totalBytes: total, doneBytes: done,
    etaSeconds: eta === null ? null : Math.round(eta), error: j.error,
    createdAt: j.createdAt.toISOString(), startedAt: iso(j.startedAt), finishedAt: iso(j.finishedAt),
  };
}

async function summarize(actor: Actor, v: Prisma.DatasetVersionGetPayload<{ include: { dataset: true; createdBy: { select: { email: true } } } }>) {
  const [agg, reports, jobs, uploading] = await Promise.all([
    db.scan.aggregate({ where: { datasetVersionId: v.id }, _count: true, _sum: { bytes: true } }),
    db.scan.count({ where: { datasetVersionId: v.id, hasReport: true } }),
    inspects(actor) ? db.ingestJob.findMany({ where: { datasetVersionId: v.id }, orderBy: { createdAt: "desc" }, take: 20 }) : Promise.resolve([]),
    inspects(actor) ? db.ingestFile.findMany({ where: { datasetVersionId: v.id, status: "UPLOADING" }, orderBy: { name: "asc" }, take: 500, select: { name: true, size: true, path: true } }) : Promise.resolve([]),
  ]);
  // How far a stopped upload got is the size of its partial file.
  const uploads = await Promise.all(uploading.map(async (u) => ({ name: u.name, bytes: Number(u.size), received: await stat(u.path).then((st) => st.size, () => 0) })));
  return {
    id: v.id, datasetId: v.datasetId, datasetSlug: v.dataset.slug, datasetName: v.dataset.name, version: v.version,
    description: v.description, status: v.status, createdBy: v.createdBy.email, createdAt: v.createdAt.toISOString(),
    publishedAt: iso(v.publishedAt), scans: agg._count, bytes: Number(agg._sum.bytes ?? 0), reports,
    failedFiles: jobs.reduce((n, j) => n + j.failedFiles, 0), jobs: jobs.map(toJob), uploads,
  };
}

const INCLUDE = { dataset: true, createdBy: { select: { email: true } } } as const;

export async function listVersions(actor: Actor, datasetIdOrSlug: string) {
  assertCan(actor, "dataset:read");
  const d = await db.dataset.findFirst({ where: { OR: [{ id: datasetIdOrSlug }, { slug: datasetIdOrSlug }] }, select: { id: true } });
  if (!d) throw notFound("Dataset");
  const versions = await db.datasetVersion.findMany({ where: { datasetId: d.id, ...visible(actor) }, include: INCLUDE, orderBy: { createdAt: "desc" } });
  return Promise.all(versions.map((v) => summarize(actor, v)));
}

export async function readableVersion(actor: Actor, versionId: string) {
  assertCan(actor, "dataset:read");
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, ...visible(actor) }, include: INCLUDE });
  if (!v) throw notFound("Dataset version");
  return v;
}

export async function getVersion(actor: Actor, versionId: string) {
  return summarize(actor, await readableVersion(actor, versionId));
}

type ScanRow = Prisma.ScanGetPayload<object>;

/** File names are often patients' names or record numbers: clinicians see a neutral name instead. */
export function scanName(actor: Actor, s: { id: string; path: string }) {
  return inspects(actor) ? path.basename(s.path) : `volume ${s.id.slice(-8)}`;
}

export function toScan(actor: Actor, s: ScanRow) {
  const staff = inspects(actor);
  return {
    id: s.id, name: scanName(actor, s), format: s.format, files: s.files.length || 1, sha256: s.sha256, voxelHash: s.voxelHash,
    bytes: Number(s.bytes), dims: s.dims, spacing: s.spacing, orientation: s.orientation, datatype: s.datatype,
    affine: s.affine.length === 16 ? [0, 1, 2, 3].map((r) => s.affine.slice(4 * r, 4 * r + 4)) : [],
    huMin: s.huMin, huMax: s.huMax, huP1: s.huP1, huP99: s.huP99, looksLikeHu: s.looksLikeHu, warnings: s.warnings,
    tags: (s.seriesTags as Record<string, unknown> | null) ?? null, deidentified: s.deidentified, hasReport: s.hasReport,
    reportFlags: staff ? s.reportFlags : [],
    ...(staff ? { patientId: s.patientId, studyUid: s.studyUid } : {}),
  };
}

export async function listScans(actor: Actor, versionId: string, q: { cursor?: string; limit: number }) {
  const v = await readableVersion(actor, versionId);
  const rows = await db.scan.findMany({
    where: { datasetVersionId: v.id },
    orderBy: { id: "asc" },
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return { scans: page.map((s) => toScan(actor, s)), nextCursor: more ? page[page.length - 1].id : null };
}

/** Files that could not be indexed, with their reasons (staff only: names may carry identifiers). */
export async function listProblems(actor: Actor, versionId: string, limit = 500) {
  assertCan(actor, "dataset:inspect");
  const v = await readableVersion(actor, versionId);
  const [rows, total] = await Promise.all([
    db.ingestFile.findMany({ where: { datasetVersionId: v.id, status: "FAILED" }, orderBy: { name: "asc" }, take: limit, select: { name: true, errorCode: true, error: true } }),
    db.ingestFile.count({ where: { datasetVersionId: v.id, status: "FAILED" } }),
  ]);
  return { problems: rows.map((r) => ({ name: r.name, code: r.errorCode ?? "unknown", error: r.error ?? "" })), total };
}
