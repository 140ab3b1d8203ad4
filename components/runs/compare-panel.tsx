"use client";
import { useId, useMemo } from "react";
import { MAX_COMPARE_COLUMNS } from "@/lib/schemas/metrics";
import { apiFetch } from "@/lib/api/client-fetch";
import { count } from "@/lib/charts/format";
import { mergeSeries, type CompareRun } from "@/lib/charts/merge-series";
import type { Series } from "@/lib/charts/prepare-series";
import { Badge } from "../ui/badge";
import { CompareChart } from "../charts/compare-chart";
import { PanelMessage, PANEL_HEIGHT } from "./panel-message";
import { usePanelQuery, type PanelProps } from "./use-panel-query";

/** One metric key across the chosen runs, fetched in a single POST /metrics/query. */
export function ComparePanel({ metricKey, runs, live, settings, onZoom, onReset }: PanelProps & { metricKey: string; runs: CompareRun[] }) {
  const { axis, range, logY } = settings;
  const ids = runs.map((r) => r.id);
  const { ref, width, q, smoothing } = usePanelQuery(
    ["compare", metricKey, ids],
    (px) =>
      apiFetch<{ series: Series[] }>("/metrics/query", {
        method: "POST",
        // Very wide screens with many runs: each series gets its share of what one request may read.
        body: { series: ids.map((runId) => ({ runId, key: metricKey })), x: axis, width: Math.min(px, Math.floor(MAX_COMPARE_COLUMNS / ids.length)), ...(range ? { from: range[0], to: range[1] } : {}) },
      }),
    { live, settings, enabled: ids.length > 0 },
  );
  const merged = useMemo(() => (q.data ? mergeSeries(q.data.series, runs, { smoothing, logY, range }) : null), [q.data, runs, smoothing, logY, range]);
  const headingId = useId();
  const empty = merged && merged.lines.every((l) => l.rows.length === 0);

  return (
    <section aria-labelledby={headingId} className="rounded-lg border border-border bg-card p-3">
      <header className="mb-1 flex min-h-6 flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="truncate font-mono text-sm font-medium" title={metricKey}>
          {metricKey}
        </h3>
        <div className="flex flex-wrap gap-1.5">
          {merged?.density && <Badge>{merged.density}</Badge>}
          {merged && merged.hiddenNonPositive > 0 && <Badge tone="warn">{count(merged.hiddenNonPositive, "point")} ≤ 0 hidden (log scale)</Badge>}
        </div>
      </header>
      <div ref={ref} className="w-full" style={{ minHeight: PANEL_HEIGHT }}>
        {q.isError && !q.data ? (
          <PanelMessage tone="danger" onRetry={() => q.refetch()}>Could not load {metricKey}: {q.error.message}</PanelMessage>
        ) : !merged || width === 0 ? (
          <PanelMessage busy>Loading {metricKey}…</PanelMessage>
        ) : empty ? (
          <PanelMessage>{range ? "No points in the zoomed range. Double-click a chart or use Reset zoom." : "No points yet for these runs."}</PanelMessage>
        ) : !merged.yDomain ? (
          <PanelMessage>Every value is at or below zero, which a log scale cannot show.</PanelMessage>
        ) : (
          <CompareChart title={metricKey} merged={merged} axis={axis} logY={logY} width={width} height={PANEL_HEIGHT} zoom={range} onZoom={onZoom} onReset={onReset} />
        )}
      </div>
    </section>
  );
}
