// Files uploaded from the browser into a draft dataset version, with the same tus endpoint as checkpoints. An
// upload is a file of the version from its first request (UPLOADING, listed with how far it got); its last byte
// makes it PENDING in the version's upload job, which indexes it like a registered file. The stored name keeps
// the folder it came from, so DICOM series uploaded as a folder stay together; the path on disk is the server's
// own (a hash of that folder and the file's id), never built from the name.
import "server-only";
import { createHash } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { recordAudit } from "../../audit/record-audit";
import type { Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { db } from "../../db/client";
import { env } from "../../env";
import { conflict, DomainError, invalid, notFound, zodFieldErrors } from "../../errors";
import { versionForWrite } from "./team-datasets";

export const ZDatasetUploadMetadata = z.strictObject({
  versionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[^\u0000-\u001f\u007f]*$/, "no control characters")
    .refine((n) => !n.split(/[\\/]/).some((p) => p === ".." || p === "."), "no '.' or '..' segments")
    .describe("the file's path relative to the folder chosen (webkitRelativePath), or its name"),
  filename: z.string().optional(),
  filetype: z.string().optional(),
});
export type DatasetUploadMetadata = z.output<typeof ZDatasetUploadMetadata>;

export function isDatasetUpload(raw: Record<string, string | null | undefined> | undefined) {
  return !!raw?.versionId;
}

export function parseDatasetUploadMetadata(raw: Record<string, string | null | undefined> | undefined): DatasetUploadMetadata {
  const r = ZDatasetUploadMetadata.safeParse(Object.fromEntries(Object.entries(raw ?? {}).filter(([, v]) => v != null)));
  if (!r.success) throw invalid("Upload-Metadata must name versionId and name", zodFieldErrors(r.error, "metadata"));
  return r.data;
}

const EXT = /\.(nii\.gz|nii|dcm|txt|csv)$/i;

/** The file's place in the blob store: by version, a hash of the folder it came from, and its id. */
function blobKey(versionId: string, name: string, fileId: string) {
  const folder = path.posix.dirname(name.replace(/\\/g, "/"));
  const dir = createHash("sha256").update(folder).digest("hex").slice(0, 16);
  const ext = EXT.exec(name)?.[0].toLowerCase() ?? "";
  return `datasets/${versionId.toLowerCase()}/${dir}/${fileId.toLowerCase()}${ext}`;
}

export async function authorizeDatasetUpload(actor: Actor, meta: DatasetUploadMetadata, size?: number) {
  const v = await versionForWrite(actor, meta.versionId);
  if (size !== undefined && size > env().DATASET_FILE_MAX_BYTES) {
    throw new DomainError(`A dataset file may be at most ${env().DATASET_FILE_MAX_BYTES} bytes`, 413, "Too large", [{ field: "Upload-Length", message: `at most ${env().DATASET_FILE_MAX_BYTES}` }]);
  }
  return v;
}

/** The version's upload job that is still taking files, or a new one. */
async function uploadJob(tx: Parameters<Parameters<typeof db.$transaction>[0]>[0], versionId: string, userId: string) {
  const open = await tx.ingestJob.findFirst({ where: { datasetVersionId: versionId, source: "upload", status: { in: ["QUEUED", "RUNNING", "DONE"] } }, orderBy: { createdAt: "desc" } });
  return open ?? tx.ingestJob.create({ data: { datasetVersionId: versionId, createdById: userId, source: "upload", listed: true } });
}

/** A new upload: its file row exists from now on, so a stopped upload is visible and reported. */
export async function beginDatasetUpload(actor: Actor, meta: DatasetUploadMetadata, tempPath: string, size: number) {
  const v = await authorizeDatasetUpload(actor, meta, size);
  if (actor.kind !== "user") throw new DomainError("Dataset files are uploaded by people", 403, "Forbidden");
  await db.$transaction(async (tx) => {
    const job = await uploadJob(tx, v.id, actor.id);
    const clash = await tx.ingestFile.findFirst({ where: { datasetVersionId: v.id, name: meta.name, status: { not: "FAILED" } }, select: { status: true } });
    if (clash) throw conflict(`${meta.name} is already in this version${clash.status === "UPLOADING" ? " (its upload is under way: resume it)" : ""}`, [{ field: "metadata.name", message: "already uploaded" }]);
    await tx.ingestFile.create({ data: { jobId: job.id, datasetVersionId: v.id, path: tempPath, name: meta.name, size: BigInt(size), status: "UPLOADING" } });
  });
}

/** The last byte arrived: the file moves into the blob store and waits for indexing. */
export async function finishDatasetUpload(actor: Actor, meta: DatasetUploadMetadata, tempPath: string, bytes: number) {
  const v = await authorizeDatasetUpload(actor, meta);
  const row = await db.ingestFile.findFirst({ where: { datasetVersionId: v.id, path: tempPath, status: "UPLOADING" } });
  if (!row) throw notFound("Upload of this version");
  const key = blobKey(v.id, meta.name, row.id);
  await blobStore().putFile(key, tempPath);
  await db.$transaction(async (tx) => {
    await tx.ingestFile.update({ where: { id: row.id }, data: { path: blobStore().localPath(key), status: "PENDING", size: BigInt(bytes), error: null } });
    // A job that already finished takes this file too: back in the queue.
    await tx.ingestJob.updateMany({ where: { id: row.jobId, status: { in: ["DONE"] } }, data: { status: "QUEUED", finishedAt: null } });
    await recordAudit(tx, { actor }, { action: "dataset.upload", targetType: "dataset_version", targetId: v.id, details: { name: meta.name, bytes } });
  });
}

/** Uploads that stopped and were never resumed: reported on their file, with how far they got. */
export async function expireDatasetUploads(olderThan: Date) {
  const stale = await db.ingestFile.findMany({ where: { status: "UPLOADING", updatedAt: { lt: olderThan } }, select: { id: true, size: true } });
  for (const f of stale) {
    await db.ingestFile.updateMany({
      where: { id: f.id, status: "UPLOADING" },
      data: { status: "FAILED", errorCode: "upload_incomplete", error: `the upload stopped before its ${f.size} bytes arrived and was not resumed; upload the file again` },
    });
  }
  return stale.length;
}
