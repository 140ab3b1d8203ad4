// The sample dataset a fresh install trains on: one real abdominal CT shipped with the project (see
// test/fixtures/ct/README.md for its source and license), indexed like any other file and published as version 1
// of a team dataset, so the newcomer's first run from the UI has files to read.
import "server-only";
import { stat } from "node:fs/promises";
import path from "node:path";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";
import { runIngestJob } from "./ingest";

export const SAMPLE_SLUG = "sample-ct";
const FILE = path.resolve(import.meta.dirname, "../../../test/fixtures/ct/example_ct.nii.gz");

/** Adds the sample dataset once, created by `ownerId` (an admin); returns whether it added it. */
export async function seedSampleDataset(ctx: ServiceContext, ownerId: string) {
  assertCan(ctx.actor, "dataset:write");
  if (await db.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } })) return false;
  const info = await stat(FILE);
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
    const v = await tx.datasetVersion.create({ data: { datasetId: d.id, version: "1", createdById: ownerId, description: "The CT shipped with Hounsfield" } });
    const job = await tx.ingestJob.create({ data: { datasetVersionId: v.id, createdById: ownerId, source: "sample", listed: true, status: "RUNNING", lockedBy: "seed", lockedUntil: new Date(Date.now() + 600_000), startedAt: new Date() } });
    await tx.ingestFile.create({ data: { jobId: job.id, datasetVersionId: v.id, path: FILE, name: path.basename(FILE), size: BigInt(info.size) } });
    await recordAudit(tx, ctx, { action: "dataset.seed_sample", targetType: "dataset", targetId: d.id });
    return { versionId: v.id, job: { id: job.id, datasetVersionId: v.id, source: "sample", folder: null, listed: true } };
  });
  if (!created) return false;
  // Indexed here rather than by the background loop, so the version is published before anyone looks.
  await runIngestJob(created.job, "seed");
  if (!(await db.scan.count({ where: { datasetVersionId: created.versionId } }))) throw new Error("the sample CT could not be indexed: see its dataset page");
  await db.datasetVersion.update({ where: { id: created.versionId }, data: { status: "PUBLISHED", publishedAt: new Date() } });
  return true;
}
