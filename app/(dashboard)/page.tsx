import Link from "next/link";
import { requireUser } from "@/lib/auth/page-session";
import { can } from "@/lib/auth/policy";
import { overviewCounts } from "@/lib/services/overview/overview-counts";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requireUser();
  const counts = await overviewCounts(actor);
  const cards = [
    { href: "/datasets", label: "Datasets in the catalog", value: counts.datasets, show: can(actor, "dataset:read") },
    { href: "/runs", label: "Training runs", value: counts.runs, show: can(actor, "run:read") },
    { href: "/workers", label: "GPU workers", value: counts.workers, show: can(actor, "worker:read") },
    { href: "/releases", label: "Published releases", value: counts.releases, show: can(actor, "release:read") },
  ].filter((c) => c.show);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Overview</h1>
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {cards.map((c) => (
          <li key={c.href}>
            <Link href={c.href} className="block rounded-lg border border-border bg-card p-5 hover:bg-muted">
              <span className="block text-3xl font-semibold">{c.value ?? "—"}</span>
              <span className="text-sm text-muted-fg">{c.label}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
