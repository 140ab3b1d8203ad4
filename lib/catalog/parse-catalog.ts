// Turns the public CT dataset CSV into catalog rows; pure, so it is unit-tested on the real file.
import { parse } from "csv-parse/sync";
import { z } from "zod";

const yesNo = (v: string) => (/^yes/i.test(v) ? "YES" : /^no/i.test(v) ? "NO" : "UNKNOWN") as "YES" | "NO" | "UNKNOWN";

const ZRow = z.object({
  name: z.string().min(1),
  host: z.string(),
  ct_volumes: z.string(),
  reports: z.string(),
  body_region: z.string(),
  format: z.string(),
  license: z.string(),
  commercial_use: z.string(),
  redistribution: z.string(),
  access: z.string(),
  notes: z.string(),
  verified: z.enum(["yes", "no", "partly"]),
});

export type CatalogEntry = ReturnType<typeof toEntry>;

export function slugify(name: string) {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function toEntry(r: z.infer<typeof ZRow>) {
  const volumes = Number(r.ct_volumes.replace(/[,\s]/g, ""));
  return {
    slug: slugify(r.name),
    name: r.name,
    host: r.host,
    // 0 in the source means "no CT of its own" (a derivative dataset); unknown counts stay null.
    ctVolumes: Number.isFinite(volumes) && r.ct_volumes.trim() !== "" ? volumes : null,
    reports: r.reports,
    bodyRegion: r.body_region,
    format: r.format,
    license: r.license,
    commercialUse: yesNo(r.commercial_use),
    redistribution: r.redistribution,
    shareAlike: /-SA\b|share-alike/i.test(`${r.license} ${r.redistribution}`),
    gated: !/^open$/i.test(r.access.trim()),
    access: r.access,
    notes: r.notes,
    verified: r.verified.toUpperCase() as "YES" | "NO" | "PARTLY",
  };
}

export function parseCatalog(csv: string) {
  const records = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as unknown[];
  return records.map((rec, i) => {
    const r = ZRow.safeParse(rec);
    if (!r.success) throw new Error(`catalog row ${i + 2}: ${r.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
    return toEntry(r.data);
  });
}
