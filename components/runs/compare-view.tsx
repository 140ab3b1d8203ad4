"use client";
import { useQueries } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import type { CompareRun } from "@/lib/charts/merge-series";
import { groupMetricKeys } from "@/lib/charts/metric-keys";
import { zoomRange } from "@/lib/charts/ticks";
import { seriesColor } from "@/lib/charts/palette";
import { ChartControls, DEFAULT_CHART_SETTINGS, type ChartSettings } from "../charts/chart-controls";
import { EmptyState } from "../ui/empty-state";
import { ComparePanel } from "./compare-panel";
import { ConfigDiffTable } from "./config-diff-table";
import { isActive, type Run } from "./run-types";
import { StatusBadge } from "./status-badge";
import { useMetricsExport } from "./use-metrics-export";

export function CompareView({ ids }: { ids: string[] }) {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["run", id],
      queryFn: () => apiFetch<Run>(`/runs/${id}`),
      refetchInterval: (q: { state: { data?: Run } }) => (isActive(q.state.data?.status) ? 3000 : false),
    })),
  });
  const [settings, setSettings] = useState<ChartSettings>(DEFAULT_CHART_SETTINGS);
  const [hidden, setHidden] = useState<string[]>([]);
  const { exporting, exportCsv } = useMetricsExport();

  const loaded = results.flatMap((r) => (r.data ? [r.data] : []));
  const failed = ids.filter((_, i) => results[i].isError);
  const colors = useMemo(() => Object.fromEntries(ids.map((id, i) => [id, seriesColor(i)])), [ids]);
  const shown = loaded.filter((r) => !hidden.includes(r.id));
  // Polls hand back new objects every few seconds; charts key their memos on what they draw, not on identity.
  const signature = shown.map((r) => `${r.id}\u0000${r.name}\u0000${r.metricKeys.join("\u0001")}`).join("\u0002");
  const { keyRuns, groups } = useMemo(() => {
    const keyRuns = new Map<string, CompareRun[]>();
    for (const r of shown) for (const k of r.metricKeys) keyRuns.set(k, [...(keyRuns.get(k) ?? []), { id: r.id, name: r.name, color: colors[r.id] }]);
    const keys = [...keyRuns.keys()];
    return { keyRuns, groups: [...groupMetricKeys(keys, false), ...groupMetricKeys(keys, true)] };
  }, [signature, colors]);

  if (results.some((r) => r.isPending) && !loaded.length) {
    return <p role="status" className="flex h-40 items-center justify-center text-sm text-muted-fg">Loading {ids.length} runs…</p>;
  }
  if (!loaded.length) {
    return (
      <EmptyState title="None of these runs could be loaded" action={<Link href="/runs" className="text-sm font-medium text-primary underline-offset-2 hover:underline">Choose runs</Link>}>
        They may have been deleted.
      </EmptyState>
    );
  }
  const live = shown.some((r) => isActive(r.status));
  const onZoom = (from: number, to: number) => setSettings({ ...settings, range: zoomRange(from, to, settings.axis) });
  const onReset = () => setSettings({ ...settings, range: null });
  const onExport = () =>
    exportCsv({
      series: [...keyRuns].flatMap(([key, runs]) => runs.map((r) => ({ runId: r.id, key }))),
      runNames: Object.fromEntries(shown.map((r) => [r.id, r.name])),
      axis: settings.axis,
      range: settings.range,
      fileName: ["compare", ...shown.slice(0, 3).map((r) => r.name)],
    });

  return (
    <div className="flex flex-col gap-6">
      {failed.length > 0 && (
        <p role="alert" className="text-sm text-danger">
          {failed.length} of the chosen runs could not be loaded (deleted, or the link is wrong).
        </p>
      )}
      <ul aria-label="Runs in this comparison; press one to hide or show its lines" className="flex flex-wrap gap-2">
        {loaded.map((r) => {
          const on = !hidden.includes(r.id);
          return (
            <li key={r.id} className="flex items-center gap-1 rounded-md border border-border bg-card pr-2">
              <button
                type="button"
                aria-pressed={on}
                onClick={() => setHidden(on ? [...hidden, r.id] : hidden.filter((x) => x !== r.id))}
                className={`flex items-center gap-2 rounded-l-md px-2 py-1 text-sm hover:bg-muted ${on ? "" : "text-muted-fg line-through"}`}
              >
                <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: colors[r.id], opacity: on ? 1 : 0.3 }} />
                {r.name}
              </button>
              <StatusBadge status={r.status} />
              <Link href={`/runs/${r.id}`} className="px-1 text-sm text-muted-fg hover:text-fg" aria-label={`Open ${r.name}`}>
                ↗
              </Link>
            </li>
          );
        })}
      </ul>
      <ChartControls settings={settings} onChange={setSettings} onExport={groups.length ? onExport : undefined} exporting={exporting} />
      {groups.length === 0 ? (
        <EmptyState title="No metrics to compare">{shown.length ? "These runs have not logged any metrics yet." : "Every run is hidden; press one above to show it."}</EmptyState>
      ) : (
        groups.map((g) => (
          <section key={g.name} aria-label={g.name || "Metrics"} className="flex flex-col gap-3">
            {g.name && <h2 className="font-mono text-sm font-semibold text-muted-fg">{g.name}/</h2>}
            <div className="grid gap-4 xl:grid-cols-2">
              {g.keys.map((key) => (
                <ComparePanel key={key} metricKey={key} runs={keyRuns.get(key) ?? []} live={live} settings={settings} onZoom={onZoom} onReset={onReset} />
              ))}
            </div>
          </section>
        ))
      )}
      <ConfigDiffTable runs={loaded} colors={colors} />
    </div>
  );
}
