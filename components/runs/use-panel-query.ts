"use client";
import { useQuery } from "@tanstack/react-query";
import { useDeferredValue } from "react";
import { requestWidth } from "@/lib/charts/metric-keys";
import type { ChartSettings } from "../charts/chart-controls";
import { useElementSize } from "../charts/use-element-size";
import { useFinalRefetch } from "./use-final-refetch";

export type PanelProps = {
  live: boolean;
  settings: ChartSettings;
  onZoom: (from: number, to: number) => void;
  onReset: () => void;
};

/**
 * The fetching policy every chart panel shares: ask for as many points as the panel is pixels wide, only once
 * it has been on screen, poll every 1.5 s while the run is live and the panel visible (new points within 2 s),
 * fetch once more when the run ends, and keep the old curve up while zooming — never one drawn against
 * another x axis.
 */
export function usePanelQuery<T extends { x: string } | { series: { x: string }[] }>(
  key: unknown[],
  fetchAt: (px: number) => Promise<T>,
  { live, settings, enabled = true }: { live: boolean; settings: ChartSettings; enabled?: boolean },
) {
  const { ref, width, visible, seen } = useElementSize<HTMLDivElement>();
  const { axis, range } = settings;
  const px = requestWidth(width);
  const axisOf = (d: T) => ("series" in d ? d.series[0]?.x : d.x);
  const q = useQuery({
    queryKey: [...key, axis, range?.[0] ?? null, range?.[1] ?? null, px],
    queryFn: () => fetchAt(px),
    enabled: enabled && seen && px > 0,
    refetchInterval: live && visible ? 1500 : false,
    staleTime: live ? 0 : 60_000,
    placeholderData: (prev) => (prev && axisOf(prev) === axis ? prev : undefined),
  });
  useFinalRefetch(live, q.refetch);
  const smoothing = useDeferredValue(settings.smoothing);
  return { ref, width, q, smoothing };
}
