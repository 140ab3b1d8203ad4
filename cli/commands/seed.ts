import { seedCatalog } from "../../lib/services/datasets/seed-catalog";
import { withDatabase } from "../../server/database";
import type { Flags } from "../usage";

export async function run(flags: Flags) {
  const r = await withDatabase(() => seedCatalog({ actor: { kind: "system", label: "cli seed" } }, { update: flags.update === true }));
  console.log(`catalog: ${r.added} added, ${r.updated} updated, ${r.total} in the file`);
}
