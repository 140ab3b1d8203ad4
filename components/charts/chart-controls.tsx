"use client";
import { useId } from "react";
import { MAX_SMOOTHING } from "@/lib/charts/ema";
import type { XAxisKind } from "@/lib/charts/format";
import { Button } from "../ui/button";
import { Select } from "../ui/input";

export type ChartSettings = { smoothing: number; logY: boolean; axis: XAxisKind; range: [number, number] | null };

export const DEFAULT_CHART_SETTINGS: ChartSettings = { smoothing: 0.6, logY: false, axis: "step", range: null };

const AXES: { value: XAxisKind; label: string }[] = [
  { value: "step", label: "Step" },
  { value: "time", label: "Wall time" },
  { value: "relative", label: "Relative time" },
];

export function ChartControls({ settings, onChange, onExport, exporting }: {
  settings: ChartSettings;
  onChange: (next: ChartSettings) => void;
  onExport?: () => void;
  exporting?: boolean;
}) {
  const id = useId();
  const set = (patch: Partial<ChartSettings>) => onChange({ ...settings, ...patch });
  return (
    <div role="group" aria-label="Chart settings" className="flex flex-wrap items-end gap-x-6 gap-y-3 rounded-lg border border-border bg-card p-3">
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-smoothing`} className="text-sm font-medium">
          Smoothing
        </label>
        <div className="flex h-10 items-center gap-2">
          <input
            id={`${id}-smoothing`}
            type="range"
            min={0}
            max={MAX_SMOOTHING}
            step={0.01}
            value={settings.smoothing}
            onChange={(e) => set({ smoothing: Number(e.target.value) })}
            aria-valuetext={settings.smoothing === 0 ? "off" : settings.smoothing.toFixed(2)}
            className="w-40 accent-[var(--primary)]"
          />
          <output htmlFor={`${id}-smoothing`} className="w-10 text-sm tabular-nums text-muted-fg">
            {settings.smoothing === 0 ? "off" : settings.smoothing.toFixed(2)}
          </output>
        </div>
      </div>
      <Select label="X axis" value={settings.axis} onChange={(e) => set({ axis: e.target.value as XAxisKind, range: null })} className="w-40">
        {AXES.map((a) => (
          <option key={a.value} value={a.value}>
            {a.label}
          </option>
        ))}
      </Select>
      <label className="flex h-10 items-center gap-2 text-sm">
        <input type="checkbox" checked={settings.logY} onChange={(e) => set({ logY: e.target.checked })} />
        Log scale (y)
      </label>
      <div className="ml-auto flex h-10 items-center gap-2">
        {settings.range && (
          <Button variant="ghost" size="sm" onClick={() => set({ range: null })}>
            Reset zoom
          </Button>
        )}
        {onExport && (
          <Button variant="secondary" size="sm" onClick={onExport} disabled={exporting} aria-busy={exporting || undefined}>
            {exporting ? "Exporting…" : "Export CSV"}
          </Button>
        )}
      </div>
    </div>
  );
}
