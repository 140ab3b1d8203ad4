// A run's mix names datasets and, optionally, their versions; a run a worker trains gets the exact published
// versions it will read recorded at creation (so a later version never changes what a queued or resumed run
// trains on). A dataset with no published version has no files: such a mix is refused for worker runs.
import "server-only";
import type { z } from "zod";
import { db } from "../../db/client";
import type { FieldError } from "../../errors";
import type { ZMixEntry } from "../../schemas/run";

export type ResolvedMixEntry = {
  dataset: string;
  name: string;
  license: string;
  commercialUse: "YES" | "NO" | "UNKNOWN";
  shareAlike: boolean;
  versionId: string | null;
  version: string | null;
  scans: number;
};

export async function resolveMix(entries: z.output<typeof ZMixEntry>[], opts: { requireFiles: boolean }) {
  const errors: FieldError[] = [];
  const resolved: ResolvedMixEntry[] = [];
  const wanted = entries.map((m) => m.dataset);
  const datasets = await db.dataset.findMany({ where: { OR: [{ slug: { in: wanted } }, { id: { in: wanted } }] } });
  for (const [i, m] of entries.entries()) {
    const d = datasets.find((x) => x.slug === m.dataset || x.id === m.dataset);
    if (!d) {
      errors.push({ field: `datasetMix.${i}.dataset`, message: `no dataset "${m.dataset}"` });
      continue;
    }
    const v = await db.datasetVersion.findFirst({
      where: { datasetId: d.id, status: "PUBLISHED", ...(m.version ? { OR: [{ id: m.version }, { version: m.version }] } : {}) },
      orderBy: { publishedAt: "desc" },
      select: { id: true, version: true, _count: { select: { scans: true } } },
    });
    if (m.version && !v) {
      errors.push({ field: `datasetMix.${i}.version`, message: `${d.slug} has no published version "${m.version}"` });
      continue;
    }
    if (!v && opts.requireFiles) {
      errors.push({ field: `datasetMix.${i}.dataset`, message: `${d.slug} has no published version, so no files to train on: create a version from the files you hold` });
      continue;
    }
    resolved.push({
      dataset: d.slug, name: d.name, license: d.license, commercialUse: d.commercialUse, shareAlike: d.shareAlike,
      versionId: v?.id ?? null, version: v?.version ?? null, scans: v?._count.scans ?? 0,
    });
  }
  if (new Set(resolved.map((r) => r.dataset)).size !== resolved.length) errors.push({ field: "datasetMix", message: "a dataset appears twice" });
  return { resolved, errors };
}
