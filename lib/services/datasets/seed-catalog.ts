import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan } from "../../auth/policy";
import { parseCatalog } from "../../catalog/parse-catalog";
import { db } from "../../db/client";

export const CATALOG_CSV = path.resolve(import.meta.dirname, "../../../prisma/seed/public-ct-datasets.csv");

/** Adds catalog entries that are missing; with `update`, also refreshes existing ones from the file. */
export async function seedCatalog(ctx: ServiceContext, opts: { update?: boolean; file?: string } = {}) {
  assertCan(ctx.actor, "catalog:write");
  const entries = parseCatalog(await readFile(opts.file ?? CATALOG_CSV, "utf8"));
  return db.$transaction(async (tx) => {
    const existing = new Map((await tx.dataset.findMany({ select: { slug: true, license: true, id: true } })).map((d) => [d.slug, d]));
    let added = 0;
    let updated = 0;
    for (const e of entries) {
      const found = existing.get(e.slug);
      if (!found) {
        const d = await tx.dataset.create({ data: { ...e, catalog: true } });
        await tx.datasetLicenseChange.create({ data: { datasetId: d.id, license: e.license, note: "catalog seed" } });
        added++;
      } else if (opts.update) {
        await tx.dataset.update({ where: { slug: e.slug }, data: e });
        if (found.license !== e.license) await tx.datasetLicenseChange.create({ data: { datasetId: found.id, license: e.license, note: "catalog update" } });
        updated++;
      }
    }
    if (added || updated) await recordAudit(tx, ctx, { action: "catalog.seed", targetType: "dataset", details: { added, updated } });
    return { added, updated, total: entries.length };
  });
}
