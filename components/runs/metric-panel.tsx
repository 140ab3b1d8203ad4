"use client";
import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useMemo } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { formatCompact, formatValue } from "@/lib/charts/format";
import { requestWidth } from "@/lib/charts/metric-keys";
import { prepareSeries, type Series } from "@/lib/charts/prepare-series";
import type { ChartSettings } from "../charts/chart-controls";
import { MetricChart } from "../charts/metric-chart";
import { useElementSize } from "../charts/use-element-size";
import { PanelMessage, PANEL_HEIGHT } from "./panel-message";
import { useFinalRefetch } from "./use-final-refetch";

export function MetricPanel({ runId, metricKey, live, settings, onZoom, onReset }: {
  runId: string;
  metricKey: string;
  live: boolean;
  settings: ChartSettings;
  onZoom: (from: number, to: number) => void;
  onReset: () => void;
}) {
  const { ref, width, visible, seen } = useElementSize<HTMLDivElement>();
  const { axis, range, logY } = settings;
  const px = requestWidth(width);
  const q = useQuery({
    queryKey: ["metrics", runId, metricKey, axis, range?.[0] ?? null, range?.[1] ?? null, px],
    queryFn: () => {
      const p = new URLSearchParams({ key: metricKey, x: axis, width: String(px) });
      if (range) {
        p.set("from", String(range[0]));
        p.set("to", String(range[1]));
      }
      return apiFetch<Series>(`/runs/${runId}/metrics?${p}`);
    },
    enabled: seen && px > 0,
    refetchInterval: live && visible ? 1500 : false,
    staleTime: live ? 0 : 60_000,
    // While zooming or resizing the old curve stays up, but never one drawn against another x axis.
    placeholderData: (prev) => (prev?.x === axis ? prev : undefined),
  });
  useFinalRefetch(live, q.refetch);
  const smoothing = useDeferredValue(settings.smoothing);
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
