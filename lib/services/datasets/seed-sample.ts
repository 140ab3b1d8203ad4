// The sample dataset a fresh install trains on: one real abdominal CT shipped with the project (see
// test/fixtures/ct/README.md for its source and license), as a published version of a team dataset, so the
// newcomer's first run from the UI has files to read.
import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { db } from "../../db/client";

export const SAMPLE_SLUG = "sample-ct";
const FILE = path.resolve(import.meta.dirname, "../../../test/fixtures/ct/example_ct.nii.gz");

async function sha256(file: string) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk);
  return h.digest("hex");
}

/** Adds the sample dataset once, created by `ownerId` (an admin); returns whether it added it. */
export async function seedSampleDataset(ctx: ServiceContext, ownerId: string) {
  assertCan(ctx.actor, "dataset:write");
  if (await db.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } })) return false;
  const [hash, info] = await Promise.all([sha256(FILE), stat(FILE)]);
  return db.$transaction(async (tx) => {
    if (await tx.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } })) return false;
    const d = await tx.dataset.create({
      data: {
        slug: SAMPLE_SLUG, name: "Sample CT (one TotalSegmentator scan)", host: "shipped with Hounsfield", ctVolumes: 1, reports: "no",
        bodyRegion: "abdomen / whole body", format: "NIfTI", license: "CC BY 4.0", commercialUse: "YES", redistribution: "yes, with attribution",
        access: "included", notes: "122×101×112 voxels at 3 mm; for trying a run end to end, not for pretraining", verified: "YES", catalog: false,
      },
    });
    await tx.datasetLicenseChange.create({ data: { datasetId: d.id, license: "CC BY 4.0", note: "sample dataset" } });
    const v = await tx.datasetVersion.create({ data: { datasetId: d.id, version: "1", status: "PUBLISHED", createdById: ownerId, publishedAt: new Date() } });
    await tx.scan.create({ data: { datasetVersionId: v.id, path: FILE, sha256: hash, bytes: BigInt(info.size), dims: [122, 101, 112], spacing: [3, 3, 3] } });
    await recordAudit(tx, ctx, { action: "dataset.seed_sample", targetType: "dataset", targetId: d.id });
    return true;
  });
}
