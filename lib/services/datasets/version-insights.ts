// What a dataset page plots and warns about: distributions of geometry, HU and scanners over a version's
// volumes; the same scan stored twice (voxel hash) within the version or in any other dataset; the same patient
// or study in two places (DICOM identifiers), which a pretraining/evaluation split must not straddle.
import "server-only";
import path from "node:path";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { conflict } from "../../errors";
import { HU_BIN_LOW, HU_BIN_WIDTH, HU_BINS } from "../../imaging/hu-bins";
import { inspects, readableVersion, scanName } from "./read-versions";

type Bin = { label: string; count: number };

/** Counts of values in bins of `width` (values rounded to 3 decimals), sorted by value. */
function histogram(values: number[], width: number, unit: string): Bin[] {
  const counts = new Map<number, number>();
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const b = Math.floor(v / width + 1e-9) * width;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([b, count]) => ({ label: `${+b.toFixed(3)}${width === 0 ? "" : `–${+(b + width).toFixed(3)}`} ${unit}`.trim(), count }));
}

function bars(values: (string | null | undefined)[], top = 12): Bin[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v?.trim() || "(not stated)", (counts.get(v?.trim() || "(not stated)") ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const head = sorted.slice(0, top).map(([label, count]) => ({ label, count }));
  const rest = sorted.slice(top).reduce((n, [, c]) => n + c, 0);
  return rest ? [...head, { label: `${sorted.length - top} others`, count: rest }] : head;
}

export async function versionStats(actor: Actor, versionId: string) {
  const v = await readableVersion(actor, versionId);
  const scans = await db.scan.findMany({
    where: { datasetVersionId: v.id },
    select: { dims: true, spacing: true, huHistogram: true, seriesTags: true, format: true, orientation: true, looksLikeHu: true, bytes: true },
  });
  const hu = new Array<number>(HU_BINS).fill(0);
  for (const s of scans) s.huHistogram.forEach((n, i) => (hu[i] += n));
  const tag = (k: string) => scans.filter((s) => s.format === "dicom").map((s) => (s.seriesTags as Record<string, string | null> | null)?.[k]);
  return {
    volumes: scans.length,
    bytes: scans.reduce((n, s) => n + Number(s.bytes), 0),
    notHu: scans.filter((s) => !s.looksLikeHu).length,
    inPlaneSpacing: histogram(scans.map((s) => Math.min(s.spacing[0], s.spacing[1])), 0.25, "mm"),
    sliceSpacing: histogram(scans.map((s) => s.spacing[2]), 0.5, "mm"),
    slices: histogram(scans.map((s) => s.dims[2]), 50, ""),
    matrix: bars(scans.map((s) => `${s.dims[0]}×${s.dims[1]}`)),
    hu: hu.map((count, i) => ({ label: i === 0 ? `< ${HU_BIN_LOW + HU_BIN_WIDTH}` : i === HU_BINS - 1 ? `≥ ${HU_BIN_LOW + i * HU_BIN_WIDTH}` : `${HU_BIN_LOW + i * HU_BIN_WIDTH}`, count })),
    format: bars(scans.map((s) => s.format)),
    orientation: bars(scans.map((s) => s.orientation)),
    manufacturer: bars(tag("manufacturer")),
    model: bars(tag("model")),
    kernel: bars(tag("kernel")),
    bodyPart: bars(tag("bodyPart")),
  };
}

type DupScan = { id: string; name: string; dataset: string; version: string; versionId: string };

/** Duplicates of this version's volumes: by voxel content within it and across every other version, and (DICOM)
 * shared patients and studies. Identifiers themselves are shown to staff only. */
export async function versionDuplicates(actor: Actor, versionId: string) {
  const v = await readableVersion(actor, versionId);
  const staff = inspects(actor);
  type Row = { key: string; kind: "voxels" | "patient" | "study"; id: string; path: string; slug: string; version: string; versionId: string; status: string };
  const rows = await db.$queryRaw<Row[]>`
    WITH mine AS (SELECT "voxelHash", "patientId", "studyUid" FROM "Scan" WHERE "datasetVersionId" = ${v.id})
    SELECT k.key, k.kind, s.id, s.path, d.slug, dv.version, dv.id AS "versionId", dv.status::text AS status
      FROM (SELECT DISTINCT "voxelHash" AS key, 'voxels' AS kind FROM mine WHERE "voxelHash" IS NOT NULL
            UNION SELECT DISTINCT "patientId", 'patient' FROM mine WHERE "patientId" IS NOT NULL
            UNION SELECT DISTINCT "studyUid", 'study' FROM mine WHERE "studyUid" IS NOT NULL) k
      JOIN "Scan" s ON (k.kind = 'voxels' AND s."voxelHash" = k.key) OR (k.kind = 'patient' AND s."patientId" = k.key) OR (k.kind = 'study' AND s."studyUid" = k.key)
      JOIN "DatasetVersion" dv ON dv.id = s."datasetVersionId"
      JOIN "Dataset" d ON d.id = dv."datasetId"
     ORDER BY k.kind, k.key, s.path
     LIMIT 20000`;
  const groups = new Map<string, { kind: Row["kind"]; key: string; scans: DupScan[] }>();
  for (const r of rows) {
    // Other people's drafts are theirs; clinicians see published versions only, and no patient or study links.
    if (r.versionId !== v.id && r.status !== "PUBLISHED" && !staff) continue;
    if (!staff && r.kind !== "voxels") continue;
    const g = groups.get(`${r.kind}:${r.key}`) ?? { kind: r.kind, key: r.key, scans: [] };
    g.scans.push({ id: r.id, name: scanName(actor, r), dataset: r.slug, version: r.version, versionId: r.versionId });
    groups.set(`${r.kind}:${r.key}`, g);
  }
  type Group = { kind: Row["kind"]; key: string | null; scans: DupScan[] };
  const out = { withinVersion: [] as Group[], acrossDatasets: [] as Group[] };
  for (const g of groups.values()) {
    const here = g.scans.filter((s) => s.versionId === v.id);
    const elsewhere = g.scans.filter((s) => s.versionId !== v.id);
    // One DICOM series per study or patient is not a duplicate; two volumes with the same voxels are.
    const item: Group = { kind: g.kind, key: g.kind === "voxels" ? g.key.slice(0, 16) : staff ? g.key : null, scans: g.scans };
    if (here.length > 1 && (g.kind === "voxels" || g.kind === "patient")) out.withinVersion.push({ ...item, scans: here });
    if (elsewhere.length) out.acrossDatasets.push(item);
  }
  return out;
}

/** A version whose manifest the actor may have: published, and readable with dataset:inspect. */
export async function manifestVersion(actor: Actor, versionId: string) {
  assertCan(actor, "dataset:inspect");
  const v = await readableVersion(actor, versionId);
  if (v.status !== "PUBLISHED") throw conflict("Only published versions have a manifest: publish this one first");
  return v;
}

/** The version's manifest in the trainer's format (JSON) or as CSV: location, sha256, geometry. Published only. */
export async function versionManifest(actor: Actor, versionId: string) {
  const v = await manifestVersion(actor, versionId);
  const scans = await db.scan.findMany({ where: { datasetVersionId: v.id }, orderBy: { path: "asc" } });
  return {
    dataset: v.dataset.slug,
    version: v.version,
    license: v.dataset.license,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    // path and sha256 are what the trainer reads: a NIfTI volume's file, or a DICOM series' NIfTI export (its
    // slices listed under files).
    volumes: scans.map((s) => ({
      id: s.id,
      path: s.trainPath ?? s.path,
      sha256: s.trainSha256 ?? s.sha256,
      format: s.format,
      geometry: { shape: s.dims, spacing: s.spacing, orientation: s.orientation },
      voxelHash: s.voxelHash,
      ...(s.format === "dicom" ? { files: s.files.map((f, i) => ({ path: f, sha256: s.fileSha256[i] })) } : {}),
      ...(s.hasReport ? { report: s.reportText } : {}),
    })),
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  // A leading = + - @ would be read as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function manifestCsv(m: Awaited<ReturnType<typeof versionManifest>>) {
  const head = ["id", "path", "sha256", "format", "dim_x", "dim_y", "dim_z", "spacing_x", "spacing_y", "spacing_z", "orientation", "voxel_hash", "files", "has_report"];
  const lines = m.volumes.map((v) =>
    [v.id, v.path, v.sha256, v.format, ...v.geometry.shape, ...v.geometry.spacing, v.geometry.orientation, v.voxelHash, "files" in v ? v.files!.length : 1, "report" in v].map(csvCell).join(","),
  );
  return [head.join(","), ...lines].join("\n") + "\n";
}
