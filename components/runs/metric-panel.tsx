"use client";
import { useId, useMemo } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { formatCompact, formatValue } from "@/lib/charts/format";
import { prepareSeries, type Series } from "@/lib/charts/prepare-series";
import { MetricChart } from "../charts/metric-chart";
import { PanelMessage, PANEL_HEIGHT } from "./panel-message";
import { usePanelQuery, type PanelProps } from "./use-panel-query";

export function MetricPanel({ runId, metricKey, live, settings, onZoom, onReset }: PanelProps & { runId: string; metricKey: string }) {
  const { axis, range, logY } = settings;
  const { ref, width, q, smoothing } = usePanelQuery(
    ["metrics", runId, metricKey],
    (px) => {
      const p = new URLSearchParams({ key: metricKey, x: axis, width: String(px) });
      if (range) {
        p.set("from", String(range[0]));
        p.set("to", String(range[1]));
      }
      return apiFetch<Series>(`/runs/${runId}/metrics?${p}`);
    },
    { live, settings },
  );
  const prepared = useMemo(() => (q.data ? prepareSeries(q.data, { smoothing, logY, range }) : null), [q.data, smoothing, logY, range]);
  const headingId = useId();

  return (
    <section aria-labelledby={headingId} className="rounded-lg border border-border bg-card p-3">
      <header className="mb-1 flex items-baseline justify-between gap-3">
        <h3 id={headingId} className="truncate font-mono text-sm font-medium" title={metricKey}>
          {metricKey}
        </h3>
        {prepared?.last && (
          <span className="shrink-0 text-xs tabular-nums text-muted-fg" title={formatValue(prepared.last.y)}>
            last {formatCompact(prepared.last.y)}
          </span>
        )}
      </header>
      <div ref={ref} className="w-full" style={{ minHeight: PANEL_HEIGHT }}>
        {q.isError && !q.data ? (
          <PanelMessage tone="danger" onRetry={() => q.refetch()}>Could not load {metricKey}: {q.error.message}</PanelMessage>
        ) : !prepared || width === 0 ? (
          <PanelMessage busy>Loading {metricKey}…</PanelMessage>
        ) : !prepared.rows.length && !prepared.markers.length ? (
          <PanelMessage>{range ? "No points in the zoomed range. Double-click a chart or use Reset zoom." : "No metrics yet — points appear here within 2 s of being logged."}</PanelMessage>
        ) : !prepared.yDomain ? (
          <PanelMessage>Every value in range is at or below zero, which a log scale cannot show. Turn off Log scale to see them.</PanelMessage>
        ) : (
          <MetricChart title={metricKey} prepared={prepared} axis={axis} logY={logY} width={width} zoom={range} onZoom={onZoom} onReset={onReset} />
        )}
      </div>
    </section>
  );
}
