// Compare view: up to 20 runs on one chart. Each line keeps its own row array instead of one table keyed by x:
// M4 picks different x values per run, so a shared table would hold up to 20 × 4000 rows that are 95% empty,
// every line would walk all of them, and bridging the holes would need connectNulls, which would also bridge
// real NaN gaps. The chart draws each array as one path; the tooltip finds each line's nearest point.
import { densityText, prepareSeries, type ChartRow, type Series } from "./prepare-series";
import { yAxisFor } from "./ticks";

/** Beyond this many lines a chart stops being readable; the runs list and the compare page both cap here. */
export const MAX_COMPARE_RUNS = 20;

export type CompareRun = { id: string; name: string; color: string };

export type CompareLine = {
  id: string;
  runId: string;
  name: string;
  color: string;
  rows: ChartRow[];
  nonFiniteCount: number;
  last: { step: number; y: number } | null;
};

export type MergedChart = {
  lines: CompareLine[];
  xDomain: [number, number] | null;
  yDomain: [number, number] | null;
  yTicks: number[];
  smoothed: boolean;
  hiddenNonPositive: number;
  /** The coarsest line's density: the one a reader should be warned about. */
  density: string | null;
};

export function mergeSeries(series: Series[], runs: CompareRun[], opts: { smoothing: number; logY: boolean; range?: [number, number] | null }): MergedChart {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const order = new Map(runs.map((r, i) => [r.id, i]));
  const lines: CompareLine[] = [];
  let x: [number, number] | null = null;
  let y: [number, number] | null = null;
  let hidden = 0;
  let coarsest: Series | null = null;
  let smoothed = false;
  for (const s of [...series].sort((a, b) => (order.get(a.runId) ?? Infinity) - (order.get(b.runId) ?? Infinity))) {
    const run = byId.get(s.runId);
    if (!run) continue;
    const p = prepareSeries(s, { ...opts, band: false, maxMarkers: 0 });
    lines.push({ id: `${s.runId}:${s.key}`, runId: s.runId, name: run.name, color: run.color, rows: p.rows, nonFiniteCount: p.nonFiniteCount, last: p.last });
    x = union(x, p.xDomain);
    y = union(y, p.yExtent);
    hidden += p.hiddenNonPositive;
    smoothed = p.smoothed;
    if (!s.exact && (!coarsest || s.pointsPerPixel > coarsest.pointsPerPixel)) coarsest = s;
  }
  const axis = y ? yAxisFor(y, opts.logY) : null;
  return { lines, xDomain: x, yDomain: axis?.domain ?? null, yTicks: axis?.ticks ?? [], smoothed, hiddenNonPositive: hidden, density: coarsest ? densityText(coarsest) : null };
}

function union(a: [number, number] | null, b: [number, number] | null): [number, number] | null {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/** Binary search over rows sorted by x: the row closest to `x`, or null for an empty line. */
export function nearestRow(rows: readonly ChartRow[], x: number): ChartRow | null {
  if (!rows.length) return null;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  const prev = rows[lo - 1];
  return prev && x - prev.x <= rows[lo].x - x ? prev : rows[lo];
}

/** One tooltip entry per line, at the point nearest the pointer; lines with nothing there are left out. */
export function valuesAt(lines: readonly CompareLine[], x: number) {
  return lines.flatMap((l) => {
    const row = nearestRow(l.rows, x);
    return row ? [{ id: l.id, name: l.name, color: l.color, row }] : [];
  });
}
