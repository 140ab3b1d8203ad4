import Link from "next/link";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { CompareView } from "@/components/runs/compare-view";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePermission } from "@/lib/auth/page-session";
import { MAX_COMPARE_RUNS as MAX_COMPARE } from "@/lib/charts/merge-series";
import { ZId } from "@/lib/schemas/common";

export const metadata = { title: "Compare runs" };

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePermission("run:read");
  const raw = (await searchParams).ids;
  const all = [...new Set((Array.isArray(raw) ? raw.join(",") : (raw ?? "")).split(",").map((s) => s.trim()).filter((s) => ZId.safeParse(s).success))];
  const ids = all.slice(0, MAX_COMPARE);
  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-1">
        <Breadcrumb parent={{ href: "/runs", label: "Runs" }} current="Compare" />
        <h1 className="text-2xl font-semibold">Compare runs</h1>
        {all.length > MAX_COMPARE && <p className="text-sm text-warn">Showing the first {MAX_COMPARE} of {all.length} runs.</p>}
      </header>
      {ids.length ? (
        <CompareView ids={ids} />
      ) : (
        <EmptyState title="No runs chosen" action={<Link href="/runs" className="text-sm font-medium text-primary underline-offset-2 hover:underline">Choose runs</Link>}>
          Tick up to {MAX_COMPARE} runs in the runs list and press Compare.
        </EmptyState>
      )}
    </div>
  );
}
