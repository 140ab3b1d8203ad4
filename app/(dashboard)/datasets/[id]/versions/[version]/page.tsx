import { notFound } from "next/navigation";
import { VersionPanel } from "@/components/datasets/version-panel";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/page-session";
import { allowedRoots } from "@/lib/datasets/server-folders";
import { DomainError } from "@/lib/errors";
import { getVersion } from "@/lib/services/datasets/read-versions";
import { canEditVersion } from "@/lib/services/datasets/team-datasets";

export default async function VersionPage({ params }: { params: Promise<{ id: string; version: string }> }) {
  const actor = await requirePermission("dataset:read");
  const { id, version } = await params;
  const v = await getVersion(actor, version).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  if (v.datasetSlug !== id && v.datasetId !== id) notFound();
  const canWrite = await canEditVersion(actor, v.id);
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
    </article>
  );
}
