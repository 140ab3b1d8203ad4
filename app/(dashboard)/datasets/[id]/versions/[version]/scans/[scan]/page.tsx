import { notFound } from "next/navigation";
import { formatBytes } from "@/components/datasets/format";
import { ScanPreviews } from "@/components/datasets/scan-previews";
import { VolumeViewer } from "@/components/datasets/volume-viewer";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Facts } from "@/components/ui/facts";
import { requirePermission } from "@/lib/auth/page-session";
import { can } from "@/lib/auth/policy";
import { DomainError } from "@/lib/errors";
import { readableScan } from "@/lib/services/datasets/previews";
import { getVersion, toScan } from "@/lib/services/datasets/read-versions";

export default async function ScanPage({ params }: { params: Promise<{ id: string; version: string; scan: string }> }) {
  const actor = await requirePermission("dataset:read");
  const { id, version, scan: scanId } = await params;
  const found = await Promise.all([getVersion(actor, version), readableScan(actor, scanId)]).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  const [v, row] = found;
  if (row.datasetVersionId !== v.id || (v.datasetSlug !== id && v.datasetId !== id)) notFound();
  const s = toScan(actor, row);
  const tags = (s.tags ?? {}) as Record<string, unknown>;
  const facts: [string, React.ReactNode][] = [
    ["Format", `${s.format}${s.files > 1 ? `, ${s.files} files` : ""}`],
    ["Dimensions", s.dims.join(" × ")],
    ["Spacing", `${s.spacing.map((x) => +x.toFixed(4)).join(" × ")} mm`],
    ["Orientation", s.orientation],
    ["Stored as", s.datatype],
    ["HU min / p1 / p99 / max", [s.huMin, s.huP1, s.huP99, s.huMax].map((x) => x ?? "?").join(" / ")],
    ["Looks like HU", s.looksLikeHu ? "yes" : <Badge key="hu" tone="warn">no: check the scaling</Badge>],
    ["Size", formatBytes(s.bytes)],
    ["sha256", <code key="sha" className="break-all text-xs">{s.sha256}</code>],
    ["Voxel hash", <code key="vh" className="break-all text-xs">{s.voxelHash}</code>],
    ...Object.entries(tags).filter(([, x]) => x !== null && x !== undefined && x !== "").map(([k, x]) => [k, String(x)] as [string, string]),
    ...(s.patientId !== undefined ? ([["Patient / study", `${s.patientId ?? "—"} / ${s.studyUid ?? "—"}`]] as [string, string][]) : []),
  ];
  return (
    <article className="flex flex-col gap-5">
      <Breadcrumb parent={{ href: `/datasets/${v.datasetSlug}/versions/${v.id}`, label: `${v.datasetName} v${v.version}` }} current={s.name} />
      <header className="flex flex-wrap items-center gap-2">
        <h1 className="font-mono text-xl font-semibold">{s.name}</h1>
        {s.warnings.map((w) => <Badge key={w} tone="warn">{w}</Badge>)}
      </header>
      <ScanPreviews scanId={s.id} />
      <VolumeViewer scanId={s.id} />
      {s.hasReport && (
        <section aria-labelledby="report-heading" className="flex flex-col gap-2">
          <h2 id="report-heading" className="font-semibold">Radiology report</h2>
          {can(actor, "dataset:inspect") ? (
            <>
              {row.reportFlags.length > 0 && <p className="text-sm text-warn">This report may identify the patient ({row.reportFlags.join(", ")}): de-identify it before training on it or sharing it.</p>}
              <pre className="whitespace-pre-wrap rounded border border-border bg-muted p-3 text-sm">{row.reportText}</pre>
            </>
          ) : (
            <p className="text-sm text-muted-fg">This volume has a report; reports are shown to researchers and administrators only.</p>
          )}
        </section>
      )}
      <section aria-labelledby="facts-heading">
        <h2 id="facts-heading" className="mb-2 font-semibold">Header and statistics</h2>
        <Facts items={facts} labelWidth="13rem" />
      </section>
    </article>
  );
}
