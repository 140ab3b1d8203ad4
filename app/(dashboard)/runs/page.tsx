import Link from "next/link";
import { RunsTable } from "@/components/runs/runs-table";
import { requirePermission } from "@/lib/auth/page-session";
import { can } from "@/lib/auth/policy";
import { ZRunListQuery } from "@/lib/schemas/run";
import { listRuns } from "@/lib/services/runs/list-runs";
import { toRunSummary } from "@/lib/services/runs/to-run";

export const metadata = { title: "Runs" };

const FILTERS = ["status", "tag", "owner", "dataset", "q", "sort", "order", "archived"] as const;

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePermission("run:read");
  const params = await searchParams;
  const known = Object.fromEntries(FILTERS.flatMap((k) => (typeof params[k] === "string" && params[k] ? [[k, params[k]]] : [])));
  const parsed = ZRunListQuery.safeParse(known);
  const query = parsed.success ? parsed.data : ZRunListQuery.parse({});
  const { cursor: _cursor, limit: _limit, ...initial } = query;
  // The first page is rendered on the server; the table keeps it fresh from there.
  const page = await listRuns(actor, query);
  const firstPage = { runs: page.runs.map(toRunSummary), nextCursor: page.nextCursor };
  const canWrite = can(actor, "run:write");
  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Runs</h1>
          <p className="text-sm text-muted-fg">Pretraining runs with live status. Select up to 20 to compare their curves and configs.</p>
        </div>
        {canWrite && (
          <Link href="/runs/new" className="inline-flex h-10 items-center rounded-md bg-primary px-4 text-sm font-medium text-primary-fg hover:opacity-90">
            New run
          </Link>
        )}
      </header>
      <RunsTable initial={initial} firstPage={firstPage} canWrite={canWrite} />
    </div>
  );
}
