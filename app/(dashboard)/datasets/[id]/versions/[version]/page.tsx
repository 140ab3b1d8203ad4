import Link from "next/link";
import { notFound } from "next/navigation";
import { VersionPanel } from "@/components/datasets/version-panel";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/page-session";
import { allowedRoots } from "@/lib/datasets/server-folders";
import { DomainError } from "@/lib/errors";
import { getVersion } from "@/lib/services/datasets/read-versions";
import { canEditVersion } from "@/lib/services/datasets/team-datasets";
import { versionLineage } from "@/lib/services/datasets/version-lineage";

export default async function VersionPage({ params }: { params: Promise<{ id: string; version: string }> }) {
  const actor = await requirePermission("dataset:read");
  const { id, version } = await params;
  const v = await getVersion(actor, version).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  if (v.datasetSlug !== id && v.datasetId !== id) notFound();
  const [canWrite, lineage] = await Promise.all([canEditVersion(actor, v.id), versionLineage(actor, v.id)]);
  return (
    <article className="flex flex-col gap-4">
      <Breadcrumb parent={{ href: `/datasets/${v.datasetSlug}`, label: v.datasetName }} current={`Version ${v.version}`} />
      <header>
        <h1 className="text-2xl font-semibold">
          {v.datasetName} <span className="text-muted-fg">v{v.version}</span>
        </h1>
        <p className="text-sm text-muted-fg">
          Created by {v.createdBy} on {v.createdAt.slice(0, 10)}
          {v.publishedAt ? `, published ${v.publishedAt.slice(0, 10)}: it never changes` : ""}. {v.description}
        </p>
      </header>
      <VersionPanel initial={v} canWrite={canWrite} staff={can(actor, "dataset:inspect")} roots={canWrite ? allowedRoots() : []} datasetSlug={v.datasetSlug} />
      {(lineage.runs.length > 0 || lineage.releases.length > 0) && (
        <section aria-labelledby="lineage-heading" className="flex flex-col gap-2 text-sm">
          <h2 id="lineage-heading" className="font-semibold">Trained on this version</h2>
          {lineage.runs.length > 0 && (
            <p>
              Runs:{" "}
              {lineage.runs.map((r, i) => (
                <span key={r.id}>{i ? ", " : ""}<Link className="underline" href={`/runs/${r.id}`}>{r.name}</Link> ({r.status.toLowerCase()})</span>
              ))}
            </p>
          )}
          {lineage.releases.length > 0 && (
            <p>
              Releases:{" "}
              {lineage.releases.map((r, i) => (
                <span key={r.id}>{i ? ", " : ""}<Link className="underline" href={`/releases/${r.id}`}>{r.name} {r.version}</Link></span>
              ))}
            </p>
          )}
        </section>
      )}
    </article>
  );
}
