"use client";
import { useState } from "react";
import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceDot, Tooltip, XAxis, YAxis, type MouseHandlerDataParam } from "recharts";
import { count, formatTick, formatXTick, type XAxisKind } from "@/lib/charts/format";
import { xTicks } from "@/lib/charts/ticks";
import { ariaLabelFor, describeSeries, type ChartRow, type PreparedSeries } from "@/lib/charts/prepare-series";
import { Badge } from "../ui/badge";
import { PointTooltip } from "./point-tooltip";

export type ZoomProps = { zoom: [number, number] | null; onZoom: (from: number, to: number) => void; onReset: () => void };

const MARGIN = { top: 12, right: 16, bottom: 4, left: 4 };
const AXIS_TICK = { fontSize: 11, fill: "var(--muted-fg)" };

export function MetricChart({ title, prepared: p, axis, logY, width, height = 220, color = "var(--primary)", zoom, onZoom, onReset }: {
  title: string;
  prepared: PreparedSeries;
  axis: XAxisKind;
  logY: boolean;
  width: number;
  height?: number;
  color?: string;
} & ZoomProps) {
  const drag = useDragZoom(onZoom);
  const xDomain = zoom ?? p.xDomain ?? [0, 1];
  const span = xDomain[1] - xDomain[0];
  const ticks = xTicks(xDomain, axis, Math.max(2, Math.floor(width / 120)));
  return (
    <figure className="flex flex-col gap-1">
      <div className="flex min-h-6 flex-wrap items-center gap-1.5">
        {p.density && <Badge title="Each pixel column shows the first, last, lowest and highest raw point">{p.density}</Badge>}
        {p.nonFiniteCount > 0 && <Badge tone="danger">{p.nonFiniteCount.toLocaleString("en")} NaN/Inf</Badge>}
        {p.hiddenNonPositive > 0 && <Badge tone="warn">{count(p.hiddenNonPositive, "point")} ≤ 0 hidden (log scale)</Badge>}
      </div>
      <div role="img" aria-label={ariaLabelFor(title, p)} style={{ height }} className="select-none">
        <ComposedChart
          width={width}
          height={height}
          data={p.rows}
          margin={MARGIN}
          accessibilityLayer={false}
          onMouseDown={drag.start}
          onMouseMove={drag.move}
          onMouseUp={drag.end}
          onMouseLeave={drag.cancel}
          onDoubleClick={onReset}
        >
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={xDomain} ticks={ticks} allowDataOverflow tick={AXIS_TICK} stroke="var(--border)" tickFormatter={(v: number) => formatXTick(v, axis, span)} />
          <YAxis type="number" scale={logY ? "log" : "linear"} domain={p.yDomain ?? [0, 1]} ticks={p.yTicks} allowDataOverflow tick={AXIS_TICK} stroke="var(--border)" tickFormatter={formatTick} width={52} />
          <Tooltip isAnimationActive={false} cursor={{ stroke: "var(--muted-fg)", strokeDasharray: "2 2" }} content={({ active, payload }) => (active ? <PointTooltip row={payload?.[0]?.payload as ChartRow | undefined} axis={axis} smoothed={p.smoothed} /> : null)} />
          <Area dataKey="band" stroke="none" fill={color} fillOpacity={0.14} isAnimationActive={false} activeDot={false} tooltipType="none" />
          {p.smoothed && <Line dataKey="y" stroke={color} strokeOpacity={0.35} strokeWidth={1} dot={false} activeDot={false} isAnimationActive={false} />}
          <Line dataKey="smooth" stroke={color} strokeWidth={p.smoothed ? 2 : 1.25} dot={false} activeDot={{ r: 3 }} isAnimationActive={false} />
          {p.markers.map((m) => (
            <ReferenceDot
              key={`${m.kind}-${m.x}`}
              x={m.x}
              y={m.y}
              r={3.5}
              fill="var(--danger)"
              stroke="var(--card)"
              ifOverflow="visible"
              label={p.markerLabels ? { value: m.label, position: m.kind === "-inf" ? "top" : "bottom", fill: "var(--danger)", fontSize: 10 } : undefined}
            />
          ))}
          {drag.area && <ReferenceArea x1={drag.area[0]} x2={drag.area[1]} fill="var(--primary)" fillOpacity={0.12} stroke="var(--primary)" strokeOpacity={0.5} ifOverflow="visible" />}
        </ComposedChart>
      </div>
      <figcaption className="sr-only">{describeSeries(title, p, axis)}</figcaption>
    </figure>
  );
}

const xOf = (s: MouseHandlerDataParam): number | null => {
  const v = Number(s.activeLabel);
  return s.activeLabel === undefined || !Number.isFinite(v) ? null : v;
};

/** Drag across the plot to choose an x range; a click without movement is not a zoom. */
export function useDragZoom(onZoom: (from: number, to: number) => void) {
  const [area, setArea] = useState<[number, number] | null>(null);
  return {
    area,
    start: (s: MouseHandlerDataParam) => {
      const x = xOf(s);
      if (x !== null) setArea([x, x]);
    },
    move: (s: MouseHandlerDataParam) => {
      const x = xOf(s);
      if (area && x !== null && x !== area[1]) setArea([area[0], x]);
    },
    end: () => {
      if (area && area[0] !== area[1]) onZoom(Math.min(...area), Math.max(...area));
      setArea(null);
    },
    cancel: () => setArea(null),
  };
}
