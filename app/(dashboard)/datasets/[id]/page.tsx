import { Facts } from "@/components/ui/facts";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/page-session";
import { DomainError } from "@/lib/errors";
import { getDataset } from "@/lib/services/datasets/list-datasets";

export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePermission("dataset:read");
  const { id } = await params;
  const d = await getDataset(actor, id).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  const facts: [string, string][] = [
    ["Host", d.host],
    ["CT volumes", d.ctVolumes?.toLocaleString("en") ?? "unknown"],
    ["Reports", d.reports],
    ["Body region", d.bodyRegion],
    ["Format", d.format],
    ["License", d.license],
    ["Commercial use", d.commercialUse.toLowerCase()],
    ["Redistribution", d.redistribution],
    ["Access", d.access],
    ["Notes", d.notes || "—"],
  ];
  return (
    <article className="flex max-w-3xl flex-col gap-6">
      <header className="flex items-center gap-3">
        <h1 className="text-2xl font-semibold">{d.name}</h1>
        {d.verified !== "YES" && <Badge tone="warn">{d.verified === "NO" ? "unverified" : "partly verified"}</Badge>}
      </header>
      {d.verified !== "YES" && (
        <p className="rounded-md border border-border bg-muted p-3 text-sm">
          Some of these facts could not be confirmed from a primary source. Check the dataset&apos;s own terms before training on it.
        </p>
      )}
      <Facts items={facts} />
      <section>
        <h2 className="mb-2 font-semibold">License history</h2>
        <ol className="text-sm">
          {d.licenseHistory.map((h) => (
            <li key={h.id}>
              <time dateTime={h.changedAt.toISOString()}>{h.changedAt.toISOString().slice(0, 10)}</time>: {h.license} <span className="text-muted-fg">({h.note})</span>
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
