// The sample dataset (lib/services/datasets/seed-sample.ts) is added once an administrator exists, by the job
// process, since indexing it is decoding a file.
import type { ImagingWork } from "../../lib/imaging/work";

const SYSTEM = { actor: { kind: "system" as const, label: "sample dataset" } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function seedSampleWhenReady(work: ImagingWork, stop: AbortSignal, log: (l: string) => void) {
  const { db } = await import("../../lib/db/client");
  const { SAMPLE_SLUG, seedSampleDataset } = await import("../../lib/services/datasets/seed-sample");
  while (!stop.aborted) {
    try {
      if (await db.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } })) return;
      const admin = await db.user.findFirst({ where: { role: "ADMIN", disabled: false }, orderBy: { createdAt: "asc" }, select: { id: true } });
      if (admin && (await seedSampleDataset(SYSTEM, admin.id, work))) {
        log("sample dataset added: sample-ct (one real CT, to try a run)");
        return;
      }
    } catch (e) {
      log(`sample dataset: ${(e as Error).message}`);
    }
    await sleep(1000);
  }
}
