import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ZCreateRun } from "../../lib/schemas/run";
import { db } from "../../lib/db/client";
import { seedCatalog } from "../../lib/services/datasets/seed-catalog";
import { createRun } from "../../lib/services/runs/create-run";
import type { ServiceContext } from "../../lib/audit/record-audit";
import { makeUser } from "./factories";

let seeded = false;
const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/ct/example_ct_sm.nii.gz");

/** A published version (one real, indexed-looking volume) of a catalog dataset, so runs may train on it. Tests of
 * indexing itself go through the ingestion service (test/integration/datasets.test.ts). */
export async function publishedVersionOf(slug: string) {
  const d = await db.dataset.findUnique({ where: { slug }, select: { id: true } });
  if (!d) return null;
  const existing = await db.datasetVersion.findFirst({ where: { datasetId: d.id, status: "PUBLISHED" } });
  if (existing) return existing;
  const { user } = await makeUser("ADMIN");
  const bytes = readFileSync(FIXTURE);
  return db.datasetVersion.create({
    data: {
      datasetId: d.id, version: "test", status: "PUBLISHED", publishedAt: new Date(), createdById: user.id,
      scans: { create: { path: FIXTURE, files: [FIXTURE], sha256: createHash("sha256").update(bytes).digest("hex"), bytes: BigInt(bytes.length), dims: [122, 101, 30], spacing: [3, 3, 3], orientation: "RAS" } },
    },
  });
}

export async function makeRun(ctx: ServiceContext, overrides: Record<string, unknown> = {}) {
  if (!seeded) {
    await seedCatalog({ actor: { kind: "system", label: "test" } });
    seeded = true;
  }
  const input = ZCreateRun.parse({ name: "run", preset: "tiny", datasetMix: [{ dataset: "totalsegmentator-v2", weight: 1 }], ...overrides });
  if (input.driver !== "script") for (const m of input.datasetMix) await publishedVersionOf(m.dataset);
  return createRun(ctx, input);
}
