import Link from "next/link";
import { notFound } from "next/navigation";
import { formatBytes } from "@/components/datasets/format";
import { DownloadStats } from "@/components/releases/download-stats";
import { ModelCardView } from "@/components/releases/model-card-view";
import { ReleaseAccessPanel } from "@/components/releases/release-access-panel";
import { ReleaseOwnerPanel } from "@/components/releases/release-owner-panel";
import { Badge } from "@/components/ui/badge";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Table, Td, Th } from "@/components/ui/table";
import { releaseReader } from "@/lib/auth/page-session";
import { env, publicUrl, smtpConfig } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { getRelease } from "@/lib/services/releases/read-releases";

export default async function ReleasePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await releaseReader();
  const { id } = await params;
  const r = await getRelease(actor, id).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  return (
    <article className="flex flex-col gap-6">
      <Breadcrumb parent={{ href: "/releases", label: "Releases" }} current={`${r.name} ${r.version}`} />
      <header className="flex flex-wrap items-center gap-2">
        <h1 className="text-2xl font-semibold">{r.name} <span className="text-muted-fg">{r.version}</span></h1>
        <Badge tone={r.status === "PUBLISHED" ? "ok" : "warn"}>{r.status.toLowerCase()}</Badge>
        <Badge>{r.policy.toLowerCase()}</Badge>
        {r.deprecatedAt && <Badge tone="warn">deprecated: {r.deprecationNote}</Badge>}
      </header>
      <p className="text-sm">
        License <strong>{r.license}</strong>
        {r.licenseOverride && <span className="text-warn"> (allowed by an administrator: {r.licenseOverride})</span>}. Trained by{" "}
        {r.runId ? <Link className="underline" href={`/runs/${r.runId}`}>its run</Link> : "a run"}
        {r.checkpointStep !== null ? `, checkpoint of step ${r.checkpointStep}` : ""} on{" "}
        {r.datasets.map((d, i) => (
          <span key={d.dataset}>
            {i ? ", " : ""}
            {d.versionId ? <Link className="underline" href={`/datasets/${d.dataset}/versions/${d.versionId}`}>{d.name} v{d.version}</Link> : d.name}
          </span>
        ))}
        . {r.downloads.toLocaleString("en")} downloads of the weights.
      </p>
      <ReleaseAccessPanel release={r} signedIn={actor.kind === "user"} />
      {r.canManage && <ReleaseOwnerPanel release={r} mailConfigured={!!smtpConfig()} />}
      {r.canManage && r.status === "PUBLISHED" && <DownloadStats releaseId={r.id} />}
      <section aria-labelledby="files-heading">
        <h2 id="files-heading" className="mb-2 font-semibold">Files</h2>
        <Table caption="Files of this release with their sha256">
          <thead><tr><Th>File</Th><Th>Kind</Th><Th className="text-right">Size</Th><Th>sha256</Th></tr></thead>
          <tbody>
            {r.files.map((f) => (
              <tr key={f.path}>
                <Td>{r.access.canDownload ? <a className="font-mono underline" href={`/api/v1/releases/${r.id}/files/${f.path}`} download>{f.path}</a> : <span className="font-mono">{f.path}</span>}</Td>
                <Td>{f.kind}</Td>
                <Td className="text-right tabular-nums">{formatBytes(f.bytes)}</Td>
                <Td className="break-all font-mono text-xs">{f.sha256 || "—"}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
      <section aria-labelledby="contract-heading">
        <h2 id="contract-heading" className="mb-2 font-semibold">Input contract</h2>
        <pre className="overflow-x-auto rounded border border-border bg-muted p-3 text-xs">{JSON.stringify(r.inputContract, null, 2)}</pre>
      </section>
      <section aria-labelledby="finetune-heading">
        <h2 id="finetune-heading" className="mb-2 font-semibold">Fine-tune this</h2>
        <pre className="overflow-x-auto rounded border border-border bg-muted p-3 text-xs">{`npx hounsfield download ${r.name}@${r.version} --out ${r.name}
cd ${r.name}
python3 finetune_starter.py embed scan.nii.gz --out scan_embedding.npz

# in Python
from finetune_starter import load_encoder, embed_nifti
encoder, config, contract = load_encoder(".")

# or with Hugging Face tools (a token with the read and download scopes)
HF_ENDPOINT=${publicUrl()} hf download ${env().HUB_NAMESPACE}/${r.name} --revision ${r.version} --local-dir ${r.name} --token "$HF_TOKEN"`}</pre>
      </section>
      <section aria-labelledby="card-heading">
        <h2 id="card-heading" className="mb-2 font-semibold">Model card</h2>
        <div className="rounded border border-border p-3">
          <ModelCardView card={r.card} />
        </div>
      </section>
    </article>
  );
}
