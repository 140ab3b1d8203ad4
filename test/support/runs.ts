import { ZCreateRun } from "../../lib/schemas/run";
import { seedCatalog } from "../../lib/services/datasets/seed-catalog";
import { createRun } from "../../lib/services/runs/create-run";
import type { ServiceContext } from "../../lib/audit/record-audit";

let seeded = false;

export async function makeRun(ctx: ServiceContext, overrides: Record<string, unknown> = {}) {
  if (!seeded) {
    await seedCatalog({ actor: { kind: "system", label: "test" } });
    seeded = true;
  }
  return createRun(ctx, ZCreateRun.parse({ name: "run", preset: "tiny", datasetMix: [{ dataset: "totalsegmentator-v2", weight: 1 }], ...overrides }));
}
