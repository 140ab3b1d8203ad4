// One series → what one chart draws. Every decision about the data (smoothing, the raw band, NaN markers, log
// scale, domains, the density badge) is made here so the chart component only maps fields to recharts props.
import type { z } from "zod";
import type { ZSeries } from "../schemas/metrics";
import { clampSmoothing, smoothEma } from "./ema";
import { count, formatStep, formatValue, formatX, type XAxisKind } from "./format";
import { yAxisFor, type Axis } from "./ticks";

export type Series = z.infer<typeof ZSeries>;
export type NonFiniteKind = Series["nonFinite"]["kind"][number];

export type ChartRow = {
  x: number;
  step: number;
  /** What the raw line draws: null for NaN/±Inf and, on a log scale, for values ≤ 0. */
  y: number | null;
  /** The value as logged when finite, shown in the tooltip even where the line hides it. */
  raw: number | null;
  smooth: number | null;
  /** Min and max of the pixel column this point belongs to; null when every point is returned. */
  band: [number, number] | null;
  nonFinite: NonFiniteKind | null;
};

export type Marker = { x: number; step: number; y: number; kind: NonFiniteKind; label: string };

export type PreparedSeries = {
  rows: ChartRow[];
  markers: Marker[];
  /** Labels only while few enough to stay readable. */
  markerLabels: boolean;
  nonFiniteCount: number;
  xDomain: [number, number] | null;
  /** Finite extent of what is drawn, before padding. */
  yExtent: [number, number] | null;
  /** The extent with a little air (see ticks.ts); null when nothing can be drawn. */
  yDomain: [number, number] | null;
  yTicks: number[];
  /** True when a smoothed line differs from the raw one, so the raw line is drawn faint behind it. */
  smoothed: boolean;
  hiddenNonPositive: number;
  density: string | null;
  last: { x: number; step: number; y: number } | null;
};

export type PrepareOptions = {
  smoothing: number;
  logY: boolean;
  /** The zoomed x range: the y axis fits what is inside it even before the zoomed data arrives. */
  range?: [number, number] | null;
  band?: boolean;
  maxMarkers?: number;
};

const MARKER_LABEL: Record<NonFiniteKind, string> = { nan: "NaN", inf: "∞", "-inf": "−∞" };
const MAX_LABELLED_MARKERS = 30;

export function prepareSeries(s: Series, { smoothing, logY, range = null, band = true, maxMarkers = 200 }: PrepareOptions): PreparedSeries {
  const { x, step, y } = s.points;
  const kinds = new Map<number, NonFiniteKind>();
  s.nonFinite.step.forEach((st, i) => kinds.set(st, s.nonFinite.kind[i]));

  let hiddenNonPositive = 0;
  const raw = y.map((v) => (v !== null && Number.isFinite(v) ? v : null));
  const drawn = raw.map((v) => {
    if (v !== null && logY && v <= 0) {
      hiddenNonPositive++;
      return null;
    }
    return v;
  });
  const weight = clampSmoothing(smoothing);
  const smooth = smoothEma(drawn, weight);
  const columns = band && !s.exact ? columnBands(s, logY ? smallestPositive(drawn, s.band) : null, logY) : null;

  const rows: ChartRow[] = x.map((xi, i) => ({
    x: xi,
    step: step[i],
    y: drawn[i],
    raw: raw[i],
    smooth: smooth[i],
    band: columns?.[i] ?? null,
    nonFinite: raw[i] === null ? (kinds.get(step[i]) ?? null) : null,
  }));

  const yExtent = extentOf(rows, range);
  const yAxis: Axis = yExtent ? yAxisFor(yExtent, logY) : logY ? { domain: [1, 10], ticks: [1, 10] } : { domain: [0, 1], ticks: [0, 1] };
  const markerDomain = yAxis.domain;
  const inRange = (xi: number) => !range || (xi >= range[0] && xi <= range[1]);
  const markers = thin(s.nonFinite.x.length, maxMarkers)
    .filter((i) => inRange(s.nonFinite.x[i]))
    .map((i): Marker => {
      const kind = s.nonFinite.kind[i];
      return { x: s.nonFinite.x[i], step: s.nonFinite.step[i], kind, label: MARKER_LABEL[kind], y: kind === "-inf" ? markerDomain[0] : markerDomain[1] };
    });
  const lastRow = findLast(rows, (r) => r.raw !== null);

  return {
    rows,
    markers,
    markerLabels: markers.length <= MAX_LABELLED_MARKERS,
    nonFiniteCount: s.nonFinite.x.length,
    xDomain: xDomainOf(s, rows, markers),
    yExtent,
    yDomain: yExtent || markers.length ? yAxis.domain : null,
    yTicks: yExtent || markers.length ? yAxis.ticks : [],
    smoothed: weight > 0,
    hiddenNonPositive,
    density: densityText(s),
    last: lastRow && lastRow.raw !== null ? { x: lastRow.x, step: lastRow.step, y: lastRow.raw } : null,
  };
}

/** Each point gets the min/max of the pixel column it falls in, so the band follows the line without rows of its own. */
function columnBands(s: Series, floor: number | null, logY: boolean): ([number, number] | null)[] {
  const { x0, x1, min, max } = s.band;
  const out: ([number, number] | null)[] = [];
  let c = 0;
  for (const xi of s.points.x) {
    while (c < x1.length && x1[c] < xi) c++;
    const lo = min[c];
    const hi = max[c];
    if (c >= x0.length || x0[c] > xi || lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      out.push(null);
    } else if (!logY) {
      out.push([lo, hi]);
    } else if (hi <= 0 || floor === null) {
      out.push(null);
    } else {
      out.push([lo > 0 ? lo : floor, hi]);
    }
  }
  return out;
}

function smallestPositive(values: (number | null)[], b: Series["band"]): number | null {
  let best = Infinity;
  for (const list of [values, b.min, b.max]) for (const v of list) if (v !== null && v > 0 && v < best) best = v;
  return Number.isFinite(best) ? best : null;
}

function extentOf(rows: ChartRow[], range: [number, number] | null): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    if (range && (r.x < range[0] || r.x > range[1])) continue;
    if (r.y !== null) {
      if (r.y < lo) lo = r.y;
      if (r.y > hi) hi = r.y;
    }
    if (r.band) {
      if (r.band[0] < lo) lo = r.band[0];
      if (r.band[1] > hi) hi = r.band[1];
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

function xDomainOf(s: Series, rows: ChartRow[], markers: Marker[]): [number, number] | null {
  let lo = s.extent?.from ?? Infinity;
  let hi = s.extent?.to ?? -Infinity;
  for (const p of [...rows, ...markers]) {
    lo = Math.min(lo, p.x);
    hi = Math.max(hi, p.x);
  }
  if (lo > hi) return null;
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** Evenly spaced indexes, at most `max` of them, so thousands of NaNs cannot flood the SVG. */
function thin(n: number, max: number): number[] {
  const stride = Math.max(1, Math.ceil(n / Math.max(1, max)));
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  return out;
}

function findLast<T>(list: T[], ok: (t: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (ok(list[i])) return list[i];
  return undefined;
}

export function densityText(s: Pick<Series, "exact" | "pointsPerPixel">): string | null {
  if (s.exact || s.pointsPerPixel <= 1) return null;
  const n = s.pointsPerPixel >= 10 ? formatStep(s.pointsPerPixel) : String(Math.round(s.pointsPerPixel * 10) / 10);
  return `≈${n} raw points per pixel`;
}

export function ariaLabelFor(key: string, p: PreparedSeries): string {
  return p.last ? `${key}: last value ${formatValue(p.last.y)} at step ${formatStep(p.last.step)}` : `${key}: no values yet`;
}

/** The text a screen reader gets instead of the picture. */
export function describeSeries(key: string, p: PreparedSeries, axis: XAxisKind): string {
  const finite = p.rows.filter((r) => r.raw !== null);
  if (!finite.length && !p.nonFiniteCount) return `${key} has no points in this range.`;
  const parts = [`${key}: ${count(finite.length, "point")} shown`];
  if (finite.length) {
    const axisName = axis === "step" ? "step " : "";
    parts[0] += ` from ${axisName}${formatX(finite[0].x, axis)} to ${axisName}${formatX(finite[finite.length - 1].x, axis)}`;
    const values = finite.map((r) => r.raw as number);
    const lo = values.reduce((a, b) => Math.min(a, b));
    const hi = values.reduce((a, b) => Math.max(a, b));
    parts.push(`last value ${formatValue(p.last!.y)} at step ${formatStep(p.last!.step)}`, `lowest ${formatValue(lo)}, highest ${formatValue(hi)}`);
  }
  if (p.nonFiniteCount) parts.push(`${count(p.nonFiniteCount, "NaN or infinite value")}`);
  if (p.hiddenNonPositive) parts.push(`${count(p.hiddenNonPositive, "point")} at or below zero hidden on the log scale`);
  return `${parts.join("; ")}.`;
}
