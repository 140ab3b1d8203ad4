"use client";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatDuration } from "@/lib/charts/format";
import { apiFetch } from "@/lib/api/client-fetch";
import { MAX_COMPARE_RUNS as MAX_COMPARE } from "@/lib/charts/merge-series";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Table, Td, Th } from "../ui/table";
import { isActive, type RunList, type RunListFilters, type RunSummary } from "./run-types";
import { RunsFilters } from "./runs-filters";
import { StatusBadge } from "./status-badge";

const PAGE = 50;

export function runListParams(filters: RunListFilters & { limit?: number }, cursor?: string | null): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== "") p.set(k, String(v));
  if (cursor) p.set("cursor", cursor);
  return p;
}

export function RunsTable({ initial, firstPage, canWrite }: { initial: RunListFilters; firstPage?: RunList; canWrite: boolean }) {
  const router = useRouter();
  const [filters, setFilters] = useState<RunListFilters>(initial);
  const [selected, setSelected] = useState<string[]>([]);
  const runs = useInfiniteQuery({
    queryKey: ["runs", filters],
    queryFn: ({ pageParam }) => apiFetch<RunList>(`/runs?${runListParams({ ...filters, limit: PAGE }, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: firstPage && filters === initial ? { pages: [firstPage], pageParams: [null] } : undefined,
    refetchInterval: 3000,
    placeholderData: keepPreviousData,
  });

  function apply(next: RunListFilters) {
    setFilters(next);
    const { sort, order, archived, ...rest } = next;
    // Defaults stay out of the address so a shared link reads like what the person chose.
    const qs = runListParams({ ...rest, ...(sort !== "created" ? { sort } : {}), ...(order !== "desc" ? { order } : {}), ...(archived === "true" ? { archived } : {}) }).toString();
    window.history.replaceState(null, "", qs ? `/runs?${qs}` : "/runs");
  }
  function sortBy(sort: NonNullable<RunListFilters["sort"]>) {
    const current = filters.sort ?? "created";
    const order = current === sort ? (filters.order === "asc" ? "desc" : "asc") : sort === "name" ? "asc" : "desc";
    apply({ ...filters, sort, order });
  }
  function toggle(id: string, on: boolean) {
    setSelected((s) => (on ? [...s, id].slice(0, MAX_COMPARE) : s.filter((x) => x !== id)));
  }

  const rows = runs.data?.pages.flatMap((p) => p.runs) ?? [];
  const unfiltered = !filters.q && !filters.status && !filters.tag && !filters.owner && !filters.dataset && filters.archived !== "true";
  const sortProps = { filters, onSort: sortBy };

  if (runs.isSuccess && rows.length === 0 && unfiltered) {
    return (
      <EmptyState title="No training runs yet" action={canWrite ? <Link href="/runs/new" className="text-sm font-medium text-primary underline-offset-2 hover:underline">Start a run</Link> : undefined}>
        Runs are self-supervised pretraining jobs on your GPU workers. Attach a worker, then start a run from a dataset mix; its loss curves appear here live.
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-4">
      <RunsFilters value={filters} onChange={apply} />
      <div className="flex min-h-10 flex-wrap items-center gap-3 text-sm" aria-live="polite">
        <span className="text-muted-fg">
          {selected.length ? `${selected.length} of at most ${MAX_COMPARE} runs selected` : "Select runs to compare their curves and configs."}
        </span>
        {selected.length > 0 && (
          <>
            <Button size="sm" disabled={selected.length < 2} onClick={() => router.push(`/runs/compare?ids=${selected.join(",")}`)}>
              Compare
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setSelected([])}>
              Clear selection
            </Button>
          </>
        )}
      </div>
      {runs.isError && (
        <p role="alert" className="text-sm text-danger">
          Could not load runs: {runs.error.message}{" "}
          <button type="button" className="underline" onClick={() => runs.refetch()}>
            Retry
          </button>
        </p>
      )}
      {runs.isPending ? (
        <p role="status" className="flex h-40 items-center justify-center rounded-lg border border-border text-sm text-muted-fg">
          Loading runs…
        </p>
      ) : rows.length === 0 ? (
        <EmptyState title="No runs match">Change or clear the filters.</EmptyState>
      ) : (
        <Table caption="Training runs">
          <thead>
            <tr>
              <Th className="w-10">
                <span className="sr-only">Compare</span>
              </Th>
              <SortHeader field="name" label="Name" {...sortProps} />
              <SortHeader field="status" label="Status" {...sortProps} />
              <Th>Owner</Th>
              <Th>Preset</Th>
              <Th className="text-right">GPUs</Th>
              <Th>License</Th>
              <SortHeader field="created" label="Created" {...sortProps} />
              <Th className="text-right">Duration</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <RunRow key={r.id} run={r} checked={selected.includes(r.id)} full={selected.length >= MAX_COMPARE} onToggle={toggle} />
            ))}
          </tbody>
        </Table>
      )}
      {runs.hasNextPage && (
        <Button variant="secondary" className="self-center" onClick={() => runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
          {runs.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}

function SortHeader({ field, label, filters, onSort }: { field: NonNullable<RunListFilters["sort"]>; label: string; filters: RunListFilters; onSort: (f: NonNullable<RunListFilters["sort"]>) => void }) {
  const active = (filters.sort ?? "created") === field;
  const asc = filters.order === "asc";
  return (
    <Th aria-sort={active ? (asc ? "ascending" : "descending") : "none"}>
      <button type="button" onClick={() => onSort(field)} className="inline-flex items-center gap-1 font-semibold hover:underline">
        {label}
        <span aria-hidden className="w-3 text-muted-fg">{active ? (asc ? "↑" : "↓") : ""}</span>
      </button>
    </Th>
  );
}

function RunRow({ run: r, checked, full, onToggle }: { run: RunSummary; checked: boolean; full: boolean; onToggle: (id: string, on: boolean) => void }) {
  const end = r.finishedAt ? Date.parse(r.finishedAt) : isActive(r.status) ? Date.now() : null;
  return (
    <tr className={checked ? "bg-muted/50" : undefined}>
      <Td>
        <input
          type="checkbox"
          checked={checked}
          disabled={!checked && full}
          title={!checked && full ? `At most ${MAX_COMPARE} runs can be compared` : undefined}
          onChange={(e) => onToggle(r.id, e.target.checked)}
          aria-label={`Select ${r.name} for comparison`}
        />
      </Td>
      <Td>
        <Link href={`/runs/${r.id}`} className="font-medium underline-offset-2 hover:underline">
          {r.name}
        </Link>
        {(r.tags.length > 0 || r.archived) && (
          <div className="mt-1 flex flex-wrap gap-1">
            {r.archived && <span className="rounded bg-muted px-1.5 text-xs text-muted-fg">archived</span>}
            {r.tags.map((t) => (
              <span key={t} className="rounded border border-border px-1.5 text-xs text-muted-fg">
                {t}
              </span>
            ))}
          </div>
        )}
      </Td>
      <Td>
        <StatusBadge status={r.status} />
      </Td>
      <Td className="max-w-48 truncate" title={r.owner.email}>
        {r.owner.name || r.owner.email}
      </Td>
      <Td>{r.preset}</Td>
      <Td className="text-right tabular-nums">{r.gpus}</Td>
      <Td>{r.license ?? <span className="text-muted-fg">—</span>}</Td>
      <Td className="whitespace-nowrap">
        <time dateTime={r.createdAt} suppressHydrationWarning>
          {new Date(r.createdAt).toLocaleString()}
        </time>
      </Td>
      <Td className="text-right tabular-nums" suppressHydrationWarning>
        {r.startedAt && end ? formatDuration(end - Date.parse(r.startedAt)) : "—"}
      </Td>
    </tr>
  );
}
