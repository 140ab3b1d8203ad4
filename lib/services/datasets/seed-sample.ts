// The sample dataset a fresh install trains on: one real abdominal CT shipped with the project (see
// test/fixtures/ct/README.md for its source and license), indexed like any other file and published as version 1
// of a team dataset, so the newcomer's first run from the UI has files to read.
import "server-only";
import { stat } from "node:fs/promises";
import path from "node:path";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { fileStamp } from "../../datasets/file-identity";
import { SAMPLE_SLUG, sampleFile } from "../../datasets/sample-file";
import type { ImagingWork } from "../../imaging/work";
import { scanData } from "./ingest";
import { savePlanes } from "./preview-files";

export { SAMPLE_SLUG };


/** Adds the sample dataset once, created by `ownerId` (an admin); returns whether it added it. The file is indexed
 * first (by the decoding process, as every ingestion), then the dataset appears in one transaction already
 * published, so nobody sees it half made (a run queued on it in between would find no version). */
export async function seedSampleDataset(ctx: ServiceContext, ownerId: string, work: ImagingWork) {
  assertCan(ctx.actor, "dataset:write");
  if (await db.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } })) return false;
  const FILE = sampleFile();
  const info = await stat(FILE);
  const stamp = await fileStamp([FILE]);
  const { volumes, problems } = await work.index([{ path: FILE, size: info.size }]);
  if (!volumes[0]) throw new Error(`the sample CT could not be indexed: ${problems[0]?.error.message}`);
  const created = await db.$transaction(async (tx) => {
    if (await tx.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } })) return null;
    const d = await tx.dataset.create({
      data: {
        slug: SAMPLE_SLUG, name: "Sample CT (one TotalSegmentator scan)", host: "shipped with Hounsfield", ctVolumes: 1, reports: "no",
        bodyRegion: "abdomen / whole body", format: "NIfTI", license: "CC BY 4.0", commercialUse: "YES", redistribution: "yes, with attribution",
        access: "included", notes: "122×101×112 voxels at 3 mm; for trying a run end to end, not for pretraining", verified: "YES", catalog: false, ownerId,
      },
    });
    await tx.datasetLicenseChange.create({ data: { datasetId: d.id, license: "CC BY 4.0", note: "sample dataset" } });
    const now = new Date();
    const v = await tx.datasetVersion.create({ data: { datasetId: d.id, version: "1", createdById: ownerId, description: "The CT shipped with Hounsfield", status: "PUBLISHED", publishedAt: now } });
    const scan = await tx.scan.create({ data: { ...scanData(v.id, volumes[0]), fileStamp: stamp } });
    const job = await tx.ingestJob.create({ data: { datasetVersionId: v.id, createdById: ownerId, source: "sample", listed: true, status: "DONE", startedAt: now, finishedAt: now, totalFiles: 1, doneFiles: 1, totalBytes: BigInt(info.size), doneBytes: BigInt(info.size) } });
    await tx.ingestFile.create({ data: { jobId: job.id, datasetVersionId: v.id, path: FILE, name: path.basename(FILE), size: BigInt(info.size), status: "DONE", scanId: scan.id } });
    await recordAudit(tx, ctx, { action: "dataset.seed_sample", targetType: "dataset", targetId: d.id });
    return scan.id;
  });
  if (!created) return false;
  await savePlanes(created, volumes[0].planes).catch(() => undefined);
  return true;
}
