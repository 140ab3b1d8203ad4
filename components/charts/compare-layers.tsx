"use client";
import { memo, useId, useMemo, useState, type MouseEvent } from "react";
import { usePlotArea, useXAxisInverseScale, useXAxisScale, useYAxisScale, type ScaleFunction } from "recharts";
import { nearestRow, type CompareLine } from "@/lib/charts/merge-series";
import type { ChartRow } from "@/lib/charts/prepare-series";

type Project = (v: number) => number;

/**
 * The axis scale as plain arithmetic, pinned to recharts' own scale at the domain ends so lines and ticks agree.
 * Calling recharts' scale per point costs several times more than the path itself.
 */
function projection(scale: ScaleFunction, [d0, d1]: [number, number], log: boolean): Project | null {
  const a = scale(d0);
  const b = scale(d1);
  if (a === undefined || b === undefined || d1 === d0) return null;
  if (!log) {
    const k = (b - a) / (d1 - d0);
    return (v) => a + (v - d0) * k;
  }
  const l0 = Math.log(d0);
  const k = (b - a) / (Math.log(d1) - l0);
  return (v) => a + (Math.log(v) - l0) * k;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** SVG path through the non-null values; a null starts a new subpath, so NaN gaps stay gaps. */
function pathOf(rows: readonly ChartRow[], field: "y" | "smooth", px: Project, py: Project): string {
  let d = "";
  let pen = false;
  for (const r of rows) {
    const v = r[field];
    if (v === null) {
      pen = false;
      continue;
    }
    const y = py(v);
    if (!Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += (pen ? "L" : "M") + r1(px(r.x)) + "," + r1(y);
    pen = true;
  }
  return d;
}

/**
 * All runs' lines as plain paths. Handing 20 × 4000 points to recharts' Line items made every smoothing step
 * take several hundred milliseconds (its store copies and freezes every row); paths from the axis scales cost
 * a small fraction of that.
 */
export const CompareLines = memo(function CompareLines({ lines, smoothed, xDomain, yDomain, logY }: {
  lines: readonly CompareLine[];
  smoothed: boolean;
  xDomain: [number, number];
  yDomain: [number, number];
  logY: boolean;
}) {
  const sx = useXAxisScale();
  const sy = useYAxisScale();
  const area = usePlotArea();
  const clip = `clip${useId().replace(/[^\w-]/g, "_")}`;
  const paths = useMemo(() => {
    const px = sx && projection(sx, xDomain, false);
    const py = sy && projection(sy, yDomain, logY);
    if (!px || !py) return [];
    return lines.map((l) => ({ id: l.id, color: l.color, smooth: pathOf(l.rows, "smooth", px, py), raw: smoothed ? pathOf(l.rows, "y", px, py) : "" }));
  }, [lines, smoothed, sx, sy, xDomain, yDomain, logY]);
  if (!area) return null;
  return (
    <g clipPath={`url(#${clip})`} fill="none" strokeLinejoin="round" strokeLinecap="round">
      <clipPath id={clip}>
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      {smoothed && paths.map((p) => <path key={`raw-${p.id}`} d={p.raw} stroke={p.color} strokeOpacity={0.22} strokeWidth={1} />)}
      {paths.map((p) => (
        <path key={p.id} d={p.smooth} stroke={p.color} strokeWidth={smoothed ? 1.75 : 1.25} />
      ))}
    </g>
  );
});

export type Pointer = { x: number; px: number; py: number };

/** Cursor line and a dot on each line at the point the tooltip reports. */
export function HoverMarks({ lines, x, smoothed }: { lines: readonly CompareLine[]; x: number; smoothed: boolean }) {
  const sx = useXAxisScale();
  const sy = useYAxisScale();
  const area = usePlotArea();
  if (!sx || !sy || !area) return null;
  const cx = sx(x);
  return (
    <g pointerEvents="none">
      {cx !== undefined && <line x1={cx} x2={cx} y1={area.y} y2={area.y + area.height} stroke="var(--muted-fg)" strokeDasharray="2 2" />}
      {lines.map((l) => {
        const row = nearestRow(l.rows, x);
        const v = row && (smoothed ? row.smooth : row.y);
        const px = row && sx(row.x);
        const py = v === null || v === undefined ? undefined : sy(v);
        return px !== undefined && px !== null && py !== undefined ? <circle key={l.id} cx={px} cy={py} r={3} fill={l.color} stroke="var(--card)" /> : null;
      })}
    </g>
  );
}

/** A transparent layer over the plot that turns the pointer into data x: hover, drag to zoom, double-click. */
export function PointerLayer({ onHover, onDragging, onZoom, onReset }: {
  onHover: (p: Pointer | null) => void;
  onDragging: (dragging: boolean) => void;
  onZoom: (from: number, to: number) => void;
  onReset: () => void;
}) {
  const area = usePlotArea();
  const invert = useXAxisInverseScale();
  const [drag, setDrag] = useState<{ from: Pointer; to: Pointer } | null>(null);
  if (!area || !invert) return null;
  const at = (e: MouseEvent<SVGRectElement>): Pointer => {
    const box = e.currentTarget.getBoundingClientRect();
    const px = Math.min(area.x + area.width, Math.max(area.x, area.x + e.clientX - box.left));
    return { x: Number(invert(px)), px, py: area.y + e.clientY - box.top };
  };
  const stop = () => {
    setDrag(null);
    onDragging(false);
  };
  return (
    <g>
      {drag && (
        <rect
          pointerEvents="none"
          x={Math.min(drag.from.px, drag.to.px)}
          width={Math.abs(drag.to.px - drag.from.px)}
          y={area.y}
          height={area.height}
          fill="var(--primary)"
          fillOpacity={0.12}
          stroke="var(--primary)"
          strokeOpacity={0.5}
        />
      )}
      <rect
        x={area.x}
        y={area.y}
        width={area.width}
        height={area.height}
        fill="transparent"
        style={{ cursor: "crosshair" }}
        onMouseMove={(e) => {
          const p = at(e);
          onHover(p);
          if (drag) setDrag({ from: drag.from, to: p });
        }}
        onMouseDown={(e) => {
          const p = at(e);
          setDrag({ from: p, to: p });
          onDragging(true);
        }}
        onMouseUp={(e) => {
          const to = at(e);
          // A few pixels of jitter in a click is not a zoom.
          if (drag && Math.abs(to.px - drag.from.px) > 4) onZoom(Math.min(drag.from.x, to.x), Math.max(drag.from.x, to.x));
          stop();
        }}
        onMouseLeave={() => {
          stop();
          onHover(null);
        }}
        onDoubleClick={onReset}
      />
    </g>
  );
}
