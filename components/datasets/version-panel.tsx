"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { z } from "zod";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import type { ZDuplicates, ZFileProblemPage, ZScanPage, ZVersion, ZVersionStats } from "@/lib/schemas/dataset";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Input, Select } from "../ui/input";
import { Table, Td, Th } from "../ui/table";
import { BarsChart } from "./bars-chart";
import { formatBytes } from "./format";
import { IngestProgress } from "./ingest-progress";
import { UploadFiles } from "./upload-files";

type Version = z.output<typeof ZVersion>;

/** A dataset version: ingestion (live), plots, duplicates, problems, volumes; and for its owner the actions. */
export function VersionPanel({ initial, canWrite, staff, roots, datasetSlug }: { initial: Version; canWrite: boolean; staff: boolean; roots: string[]; datasetSlug: string }) {
  const client = useQueryClient();
  const id = initial.id;
  const version = useQuery({
    queryKey: ["version", id],
    queryFn: () => apiFetch<Version>(`/dataset-versions/${id}`),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.jobs.some((j) => j.status === "QUEUED" || j.status === "RUNNING") ? 1500 : false),
  });
  const v = version.data;
  const busy = v.jobs.some((j) => j.status === "QUEUED" || j.status === "RUNNING");
  // Plots and lists follow the indexed volumes: refetched whenever the count changes.
  const stamp = `${v.scans}-${v.failedFiles}`;
  const stats = useQuery({ queryKey: ["version-stats", id, stamp], queryFn: () => apiFetch<z.output<typeof ZVersionStats>>(`/dataset-versions/${id}/stats`) });
  const dups = useQuery({ queryKey: ["version-dups", id, stamp], queryFn: () => apiFetch<z.output<typeof ZDuplicates>>(`/dataset-versions/${id}/duplicates`) });
  const problems = useQuery({ queryKey: ["version-problems", id, stamp], queryFn: () => apiFetch<z.output<typeof ZFileProblemPage>>(`/dataset-versions/${id}/problems`), enabled: staff });
  const scans = useQuery({ queryKey: ["version-scans", id, stamp], queryFn: () => apiFetch<z.output<typeof ZScanPage>>(`/dataset-versions/${id}/scans?limit=200`) });
  const refresh = () => client.invalidateQueries({ queryKey: ["version", id] });
  const cancel = useMutation({ mutationFn: (job: string) => apiFetch(`/dataset-versions/${id}/jobs/${job}/cancel`, { method: "POST" }), onSettled: refresh });
  const publish = useMutation({ mutationFn: () => apiFetch(`/dataset-versions/${id}/publish`, { method: "POST" }), onSuccess: refresh });
  const draft = v.status === "DRAFT";

  return (
    <div className="flex flex-col gap-6">
      <section aria-label="Summary" className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <Badge tone={draft ? "warn" : "ok"}>{draft ? "draft" : "published"}</Badge>
        <span><strong className="tabular-nums">{v.scans.toLocaleString("en")}</strong> volumes</span>
        <span><strong className="tabular-nums">{formatBytes(v.bytes)}</strong></span>
        <span><strong className="tabular-nums">{v.reports.toLocaleString("en")}</strong> reports</span>
        {staff && v.failedFiles > 0 && <span className="text-danger">{v.failedFiles.toLocaleString("en")} files could not be indexed</span>}
        {!draft && staff && (
          <span className="flex gap-3">
            <a className="underline" href={`/api/v1/dataset-versions/${id}/manifest?format=json`}>Manifest (JSON)</a>
            <a className="underline" href={`/api/v1/dataset-versions/${id}/manifest?format=csv`}>Manifest (CSV)</a>
          </span>
        )}
        {draft && canWrite && (
          <Button className="ml-auto" disabled={busy || publish.isPending || v.scans === 0} onClick={() => publish.mutate()} title={busy ? "wait for ingestion to finish" : v.scans === 0 ? "index some files first" : undefined}>
            Publish version
          </Button>
        )}
      </section>
      {publish.error && <p role="alert" className="text-sm text-danger">{(publish.error as Error).message}</p>}
      {draft && canWrite && (
        <div className="grid gap-3 lg:grid-cols-2">
          <RegisterFolder versionId={id} roots={roots} onDone={refresh} />
          <UploadFiles versionId={id} onUploaded={refresh} />
        </div>
      )}
      {staff && v.uploads.length > 0 && (
        <section aria-labelledby="partial-heading" className="rounded border border-border p-3 text-sm">
          <h2 id="partial-heading" className="font-medium">Unfinished uploads ({v.uploads.length})</h2>
          <p className="text-muted-fg">Choose the same files again to resume them; an upload left for a week is dropped and reported below.</p>
          <ul className="mt-1">
            {v.uploads.slice(0, 50).map((u) => <li key={u.name}><span className="font-mono">{u.name}</span>: {formatBytes(u.received)} of {formatBytes(u.bytes)}</li>)}
          </ul>
        </section>
      )}
      {v.jobs.length > 0 && (
        <section aria-labelledby="ingest-heading" className="flex flex-col gap-2">
          <h2 id="ingest-heading" className="font-semibold">Ingestion</h2>
          <ul className="flex flex-col gap-2">
            {v.jobs.map((j) => (
              <IngestProgress key={j.id} job={j} onCancel={canWrite ? () => cancel.mutate(j.id) : undefined} />
            ))}
          </ul>
        </section>
      )}
      {staff && (problems.data?.total ?? 0) > 0 && (
        <section aria-labelledby="problems-heading">
          <h2 id="problems-heading" className="mb-2 font-semibold">Files that could not be indexed ({problems.data!.total.toLocaleString("en")})</h2>
          <Table caption="Files that could not be indexed, with the reason">
            <thead><tr><Th>File</Th><Th>Problem</Th><Th>Reason</Th></tr></thead>
            <tbody>
              {problems.data!.problems.map((p) => (
                <tr key={p.name}><Td className="font-mono text-xs">{p.name}</Td><Td><Badge tone="danger">{p.code.replace(/_/g, " ")}</Badge></Td><Td className="text-sm">{p.error}</Td></tr>
              ))}
            </tbody>
          </Table>
        </section>
      )}
      {v.scans === 0 && !busy ? (
        <EmptyState title="No volumes yet">{canWrite && draft ? "Register a folder of NIfTI or DICOM files above; they are indexed in the background." : "Nothing has been indexed in this version."}</EmptyState>
      ) : (
        <>
          {stats.data && (
            <section aria-labelledby="plots-heading" className="flex flex-col gap-3">
              <h2 id="plots-heading" className="font-semibold">Distributions</h2>
              {stats.data.notHu > 0 && <p className="text-sm text-warn">{stats.data.notHu} volume(s) don&apos;t look like Hounsfield units (no air near −1000, or values below −3100): check their scaling.</p>}
              <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-3">
                <BarsChart title="HU of all voxels" bins={stats.data.hu} unit="voxels" />
                <BarsChart title="In-plane spacing" bins={stats.data.inPlaneSpacing} />
                <BarsChart title="Slice spacing" bins={stats.data.sliceSpacing} />
                <BarsChart title="Slices per volume" bins={stats.data.slices} />
                <BarsChart title="Matrix" bins={stats.data.matrix} />
                <BarsChart title="Orientation" bins={stats.data.orientation} />
                {stats.data.manufacturer.length > 0 && <BarsChart title="Scanner manufacturer" bins={stats.data.manufacturer} />}
                {stats.data.kernel.length > 0 && <BarsChart title="Reconstruction kernel" bins={stats.data.kernel} />}
                {stats.data.bodyPart.length > 0 && <BarsChart title="Body part" bins={stats.data.bodyPart} />}
              </div>
            </section>
          )}
          {dups.data && <Duplicates data={dups.data} versionId={id} />}
          {scans.data && <Volumes page={scans.data} datasetSlug={datasetSlug} versionId={id} staff={staff} />}
        </>
      )}
    </div>
  );
}

function RegisterFolder({ versionId, roots, onDone }: { versionId: string; roots: string[]; onDone: () => void }) {
  const [root, setRoot] = useState(roots[0] ?? "");
  const [folder, setFolder] = useState("");
  const register = useMutation({ mutationFn: () => apiFetch(`/dataset-versions/${versionId}/folders`, { method: "POST", body: { root, folder } }), onSuccess: () => { setFolder(""); onDone(); } });
  const fields = register.error instanceof ApiProblem ? register.error.fields : {};
  if (!roots.length) {
    return <p className="rounded border border-border bg-muted p-3 text-sm">No server folders are open for registration. An administrator lists them in <code>DATASET_ROOTS</code> (absolute paths separated by <code>:</code>).</p>;
  }
  return (
    <form className="flex flex-wrap items-end gap-2 rounded border border-border p-3" onSubmit={(e) => { e.preventDefault(); register.mutate(); }}>
      <Select label="Server root" value={root} onChange={(e) => setRoot(e.target.value)} error={fields.root}>
        {roots.map((r) => <option key={r} value={r}>{r}</option>)}
      </Select>
      <Input label="Folder under it" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="e.g. chest/2026-11" error={fields.folder} hint="every NIfTI and DICOM file below it is indexed" />
      <Button type="submit" disabled={register.isPending}>Register folder</Button>
      {register.error && !Object.keys(fields).length && <p role="alert" className="w-full text-sm text-danger">{(register.error as Error).message}</p>}
    </form>
  );
}

function Duplicates({ data, versionId }: { data: z.output<typeof ZDuplicates>; versionId: string }) {
  const within = data.withinVersion;
  const across = data.acrossDatasets;
  if (!within.length && !across.length) return <p className="text-sm text-muted-fg">No duplicates: no two volumes share their voxels, and no DICOM patient or study appears in another dataset.</p>;
  const what = { voxels: "same voxels", patient: "same patient", study: "same study" } as const;
  return (
    <section aria-labelledby="dups-heading" className="flex flex-col gap-2">
      <h2 id="dups-heading" className="font-semibold">Duplicates and leakage</h2>
      <p className="text-sm text-muted-fg">Volumes listed together must stay on one side of a pretraining/evaluation split.</p>
      <ul className="flex flex-col gap-1 text-sm">
        {[...within.map((g) => ({ ...g, where: "within this version" })), ...across.map((g) => ({ ...g, where: "across datasets" }))].slice(0, 200).map((g, i) => (
          <li key={i} className="rounded border border-border p-2">
            <Badge tone="warn">{what[g.kind]}</Badge> <span className="text-muted-fg">{g.where}{g.key && g.kind !== "voxels" ? ` (${g.key})` : ""}:</span>{" "}
            {g.scans.map((s) => `${s.name}${s.versionId === versionId ? "" : ` in ${s.dataset} v${s.version}`}`).join(", ")}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Volumes({ page, datasetSlug, versionId, staff }: { page: z.output<typeof ZScanPage>; datasetSlug: string; versionId: string; staff: boolean }) {
  return (
    <section aria-labelledby="volumes-heading">
      <h2 id="volumes-heading" className="mb-2 font-semibold">Volumes</h2>
      <Table caption="Indexed volumes with their geometry and HU range">
        <thead>
          <tr><Th>Volume</Th><Th>Format</Th><Th>Dimensions</Th><Th>Spacing (mm)</Th><Th>Orientation</Th><Th>HU p1 … p99</Th><Th>Scanner</Th>{staff && <Th>Patient</Th>}</tr>
        </thead>
        <tbody>
          {page.scans.map((s) => (
            <tr key={s.id}>
              <Td>
                <Link className="font-mono text-xs underline-offset-2 hover:underline" href={`/datasets/${datasetSlug}/versions/${versionId}/scans/${s.id}`}>{s.name}</Link>
                {s.warnings.length > 0 && <div className="text-xs text-warn">{s.warnings.join("; ")}</div>}
                {!s.looksLikeHu && <div><Badge tone="warn">not HU?</Badge></div>}
              </Td>
              <Td>{s.format}{s.files > 1 ? ` (${s.files} files)` : ""}</Td>
              <Td className="tabular-nums">{s.dims.join("×")}</Td>
              <Td className="tabular-nums">{s.spacing.map((x) => +x.toFixed(3)).join(" × ")}</Td>
              <Td>{s.orientation}</Td>
              <Td className="tabular-nums">{s.huP1 ?? "?"} … {s.huP99 ?? "?"}</Td>
              <Td className="text-xs">{[s.tags?.manufacturer, s.tags?.model, s.tags?.kernel].filter(Boolean).join(" · ") || "—"}</Td>
              {staff && <Td className="font-mono text-xs">{s.patientId ?? "—"}</Td>}
            </tr>
          ))}
        </tbody>
      </Table>
      {page.nextCursor && <p className="mt-2 text-xs text-muted-fg">The first 200 volumes are shown; the full list is in the manifest and the API.</p>}
    </section>
  );
}
