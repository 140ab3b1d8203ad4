"use client";
import { useMemo } from "react";
import { groupMetricKeys } from "@/lib/charts/metric-keys";
import { zoomRange } from "@/lib/charts/ticks";
import { ChartControls, type ChartSettings } from "../charts/chart-controls";
import { EmptyState } from "../ui/empty-state";
import { MetricPanel } from "./metric-panel";
import { isActive, type Run } from "./run-types";
import { useMetricsExport } from "./use-metrics-export";

/**
 * One tab of charts (training metrics, or `sys/` keys). Settings and the zoomed x range live with the caller and
 * are shared by every chart, the way W&B links panels: zooming one zooms all.
 */
export function RunCharts({ run, system, settings, onSettings }: { run: Run; system: boolean; settings: ChartSettings; onSettings: (s: ChartSettings) => void }) {
  const groups = useMemo(() => groupMetricKeys(run.metricKeys, system), [run.metricKeys, system]);
  const { exporting, exportCsv } = useMetricsExport();
  const live = isActive(run.status);
  if (!groups.length) {
    return (
      <EmptyState title={system ? "No system metrics yet" : "No metrics yet"}>
        {system
          ? "GPU, CPU and memory readings are logged under sys/ by the worker; they appear here within 2 s of being logged."
          : "No metrics yet — points appear here within 2 s of being logged."}
      </EmptyState>
    );
  }
  const onZoom = (from: number, to: number) => onSettings({ ...settings, range: zoomRange(from, to, settings.axis) });
  const onReset = () => onSettings({ ...settings, range: null });
  const onExport = () =>
    exportCsv({
      series: groups.flatMap((g) => g.keys.map((key) => ({ runId: run.id, key }))),
      runNames: { [run.id]: run.name },
      axis: settings.axis,
      range: settings.range,
      fileName: [run.name, system ? "system" : "metrics"],
    });
  return (
    <div className="flex flex-col gap-6">
      <ChartControls settings={settings} onChange={onSettings} onExport={onExport} exporting={exporting} />
      <p className="-mt-4 text-xs text-muted-fg">Drag across a chart to zoom all charts; double-click to reset.</p>
      {groups.map((g) => (
        <section key={g.name} aria-label={g.name || "Metrics"} className="flex flex-col gap-3">
          {g.name && <h2 className="font-mono text-sm font-semibold text-muted-fg">{g.name}/</h2>}
          <div className="grid gap-4 xl:grid-cols-2">
            {g.keys.map((key) => (
              <MetricPanel key={key} runId={run.id} metricKey={key} live={live} settings={settings} onZoom={onZoom} onReset={onReset} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
