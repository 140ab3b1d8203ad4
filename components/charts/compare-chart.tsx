"use client";
import { useMemo, useState } from "react";
import { CartesianGrid, ComposedChart, XAxis, YAxis } from "recharts";
import { formatStep, formatTick, formatValue, formatX, formatXTick, type XAxisKind } from "@/lib/charts/format";
import { valuesAt, type MergedChart } from "@/lib/charts/merge-series";
import { xTicks } from "@/lib/charts/ticks";
import { CompareLines, HoverMarks, PointerLayer, type Pointer } from "./compare-layers";
import type { ZoomProps } from "./metric-chart";
import { TooltipFrame, valueText } from "./point-tooltip";

const MARGIN = { top: 12, right: 16, bottom: 4, left: 4 };
const AXIS_TICK = { fontSize: 11, fill: "var(--muted-fg)" };

export function CompareChart({ title, merged: m, axis, logY, width, height = 260, zoom, onZoom, onReset }: {
  title: string;
  merged: MergedChart;
  axis: XAxisKind;
  logY: boolean;
  width: number;
  height?: number;
} & ZoomProps) {
  const [pointer, setPointer] = useState<Pointer | null>(null);
  const [dragging, setDragging] = useState(false);
  const xDomain = useMemo<[number, number]>(() => zoom ?? m.xDomain ?? [0, 1], [zoom, m.xDomain]);
  const yDomain = m.yDomain ?? [0, 1];
  const ticks = xTicks(xDomain, axis, Math.max(2, Math.floor(width / 120)));
  const label = `${title} for ${m.lines.length} runs: ${m.lines.map((l) => `${l.name} ${l.last ? formatValue(l.last.y) : "no values"}`).join(", ")}`;
  return (
    <div role="img" aria-label={label} style={{ height }} className="relative select-none">
      <ComposedChart width={width} height={height} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis dataKey="x" type="number" domain={xDomain} ticks={ticks} allowDataOverflow tick={AXIS_TICK} stroke="var(--border)" tickFormatter={(v: number) => formatXTick(v, axis, xDomain[1] - xDomain[0])} />
        <YAxis type="number" scale={logY ? "log" : "linear"} domain={yDomain} ticks={m.yTicks} allowDataOverflow tick={AXIS_TICK} stroke="var(--border)" tickFormatter={formatTick} width={52} />
        <CompareLines lines={m.lines} smoothed={m.smoothed} xDomain={xDomain} yDomain={yDomain} logY={logY} />
        {pointer && !dragging && <HoverMarks lines={m.lines} x={pointer.x} smoothed={m.smoothed} />}
        <PointerLayer onHover={setPointer} onDragging={setDragging} onZoom={onZoom} onReset={onReset} />
      </ComposedChart>
      {pointer && !dragging && (
        <div className="pointer-events-none absolute top-2 z-10" style={pointer.px > width / 2 ? { right: width - pointer.px + 12 } : { left: pointer.px + 12 }}>
          <CompareTooltip merged={m} x={pointer.x} axis={axis} />
        </div>
      )}
    </div>
  );
}

function CompareTooltip({ merged, x, axis }: { merged: MergedChart; x: number; axis: XAxisKind }) {
  const entries = valuesAt(merged.lines, x);
  return (
    <TooltipFrame wide>
      <div className="font-medium tabular-nums">{axis === "step" ? `Step ${formatStep(x)}` : formatX(x, axis)}</div>
      <table className="mt-1 whitespace-nowrap tabular-nums">
        <thead className="text-muted-fg">
          <tr>
            <th className="pr-2 text-left font-normal">run</th>
            <th className="pr-2 text-right font-normal">step</th>
            <th className="pr-2 text-left font-normal">value</th>
            {merged.smoothed && <th className="text-left font-normal">smoothed</th>}
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td className="pr-2">
                <span aria-hidden className="mr-1 inline-block h-2 w-2 rounded-full" style={{ background: e.color }} />
                <span className="inline-block max-w-48 truncate align-bottom" title={e.name}>
                  {e.name}
                </span>
              </td>
              <td className="pr-2 text-right">{formatStep(e.row.step)}</td>
              <td className="pr-2">{valueText(e.row)}</td>
              {merged.smoothed && <td>{e.row.smooth === null ? "—" : formatValue(e.row.smooth)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TooltipFrame>
  );
}
