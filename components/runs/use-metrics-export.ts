"use client";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { csvFileName, seriesToCsv } from "@/lib/charts/csv";
import type { XAxisKind } from "@/lib/charts/format";
import type { Series } from "@/lib/charts/prepare-series";
import { MAX_COMPARE_COLUMNS } from "@/lib/schemas/metrics";
import { downloadText } from "../charts/download";
import { useToast } from "../ui/toast";

/** The widest the API downsamples to: up to four points per column, 32,000 per series. */
const EXPORT_WIDTH = 8000;
/** The API reads at most MAX_COMPARE_COLUMNS columns per request. */
const MAX_SERIES_PER_QUERY = Math.max(1, Math.floor(MAX_COMPARE_COLUMNS / EXPORT_WIDTH));

/** Exports every chosen series over the visible range at the finest resolution the API serves in one go. */
export function useMetricsExport() {
  const toast = useToast();
  const [exporting, setExporting] = useState(false);
  async function exportCsv({ series, runNames, axis, range, fileName }: {
    series: { runId: string; key: string }[];
    runNames: Record<string, string>;
    axis: XAxisKind;
    range: [number, number] | null;
    fileName: string[];
  }) {
    setExporting(true);
    try {
      const results: Series[] = [];
      for (let i = 0; i < series.length; i += MAX_SERIES_PER_QUERY) {
        const body = { series: series.slice(i, i + MAX_SERIES_PER_QUERY), x: axis, width: EXPORT_WIDTH, ...(range ? { from: range[0], to: range[1] } : {}) };
        results.push(...(await apiFetch<{ series: Series[] }>("/metrics/query", { method: "POST", body })).series);
      }
      const csv = seriesToCsv(results.map((s) => ({ run: runNames[s.runId] ?? s.runId, series: s })), range ? { from: range[0], to: range[1] } : {});
      downloadText(csvFileName(...fileName), csv);
      const coarse = results.filter((s) => !s.exact).length;
      toast({
        tone: "ok",
        title: "CSV exported",
        description: coarse
          ? `${coarse} of ${results.length} series hold more points than one export carries and were downsampled (first, last, min and max per column). Zoom in to export every raw point.`
          : `${results.length} series with every raw point in range.`,
      });
    } catch (e) {
      toast({ tone: "error", title: "Export failed", description: e instanceof Error ? e.message : String(e) });
    } finally {
      setExporting(false);
    }
  }
  return { exporting, exportCsv };
}
