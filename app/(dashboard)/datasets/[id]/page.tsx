import Link from "next/link";
import { notFound } from "next/navigation";
import { formatBytes } from "@/components/datasets/format";
import { EditDatasetForm } from "@/components/datasets/edit-dataset-form";
import { NewVersionForm } from "@/components/datasets/new-version-form";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Facts } from "@/components/ui/facts";
import { Table, Td, Th } from "@/components/ui/table";
import { requirePermission } from "@/lib/auth/page-session";
import { can } from "@/lib/auth/policy";
import { DomainError } from "@/lib/errors";
import { getDataset } from "@/lib/services/datasets/list-datasets";
import { listVersions } from "@/lib/services/datasets/read-versions";
import { canAddVersion } from "@/lib/services/datasets/team-datasets";

const YES_NO = { YES: ["ok", "allowed"], NO: ["danger", "not allowed"], UNKNOWN: ["warn", "unknown"] } as const;

export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePermission("dataset:read");
  const { id } = await params;
  const d = await getDataset(actor, id).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  const versions = await listVersions(actor, d.id);
  // Fields of unverified catalog rows are shown as claims, not facts.
  const claim = (v: string) => (d.verified === "YES" ? v : <span>{v} <span className="text-xs text-warn">(unverified)</span></span>);
  const [tone, commercial] = YES_NO[d.commercialUse];
  const facts: [string, React.ReactNode][] = [
    ["Source", d.host],
    ["CT volumes", claim(d.ctVolumes?.toLocaleString("en") ?? "unknown")],
    ["Reports", claim(d.reports)],
    ["Body region", claim(d.bodyRegion || "—")],
    ["Format", claim(d.format)],
    ["Access", claim(d.access)],
    ["Notes", d.notes || d.description || "—"],
  ];
  const license: [string, React.ReactNode][] = [
    ["License", claim(d.license)],
    ["Commercial use", <Badge key="c" tone={tone}>{commercial}</Badge>],
    ["Share-alike", d.shareAlike ? <Badge key="s" tone="warn">yes: derived weights keep this license</Badge> : "no"],
    ["Redistribution", claim(d.redistribution)],
    ["Registration or data-use agreement", d.gated ? <Badge key="g" tone="warn">required</Badge> : "not required"],
  ];
  return (
    <article className="flex max-w-5xl flex-col gap-6">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{d.name}</h1>
        <Badge>{d.catalog ? "public catalog" : "team dataset"}</Badge>
        {d.verified !== "YES" && <Badge tone="warn">{d.verified === "NO" ? "unverified" : "partly verified"}</Badge>}
      </header>
      {d.verified !== "YES" && (
        <p className="rounded-md border border-border bg-muted p-3 text-sm">
          Some of these facts could not be confirmed from a primary source. Check the dataset&apos;s own terms before training on it.
        </p>
      )}
      {(d.catalog ? can(actor, "catalog:write") : can(actor, "dataset:write", { ownerId: d.ownerId })) && <EditDatasetForm dataset={d} />}
      <div className="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="facts-heading">
          <h2 id="facts-heading" className="mb-2 font-semibold">About</h2>
          <Facts items={facts} labelWidth="9rem" />
        </section>
        <section aria-labelledby="license-heading">
          <h2 id="license-heading" className="mb-2 font-semibold">License</h2>
          <Facts items={license} labelWidth="14rem" />
          <h3 className="mb-1 mt-4 text-sm font-medium">License history</h3>
          <ol className="text-sm">
            {d.licenseHistory.map((h) => (
              <li key={h.id}>
                <time dateTime={h.changedAt.toISOString()}>{h.changedAt.toISOString().slice(0, 10)}</time>: {h.license} <span className="text-muted-fg">({h.note})</span>
              </li>
            ))}
          </ol>
        </section>
      </div>
      <section aria-labelledby="versions-heading" className="flex flex-col gap-3">
        <h2 id="versions-heading" className="font-semibold">Versions</h2>
        {versions.length === 0 ? (
          <EmptyState title="No versions with files">
            {d.catalog ? "Nobody has registered files of this dataset yet. If you hold a copy, create a version and register its folder." : "Create a version and register the folder that holds its files."}
          </EmptyState>
        ) : (
          <Table caption="Versions of this dataset">
            <thead><tr><Th>Version</Th><Th>Status</Th><Th className="text-right">Volumes</Th><Th className="text-right">Size</Th><Th className="text-right">Reports</Th><Th>Created by</Th></tr></thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <Td><Link className="font-medium underline-offset-2 hover:underline" href={`/datasets/${d.slug}/versions/${v.id}`}>v{v.version}</Link><div className="text-xs text-muted-fg">{v.description}</div></Td>
                  <Td><Badge tone={v.status === "PUBLISHED" ? "ok" : "warn"}>{v.status.toLowerCase()}</Badge></Td>
                  <Td className="text-right tabular-nums">{v.scans.toLocaleString("en")}</Td>
                  <Td className="text-right tabular-nums">{formatBytes(v.bytes)}</Td>
                  <Td className="text-right tabular-nums">{v.reports.toLocaleString("en")}</Td>
                  <Td className="text-sm">{v.createdBy}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canAddVersion(actor, d) && <NewVersionForm dataset={d.slug} />}
      </section>
    </article>
  );
}
