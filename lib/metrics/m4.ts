// M4 downsampling (Jugel et al., VLDB 2014): per pixel column keep the first, last, minimum and maximum point,
// which draws the same line as all the points would, so no spike disappears. Columns are unions of whole
// buckets (a bucket belongs to the column holding its first step), so each column's min and max are exact.
import { mergeAll, type Stat } from "./bucket";

export type Column = Stat;

export function toColumns(stats: Stat[], from: bigint, to: bigint, width: number): Column[] {
  const span = Number(to - from + 1n);
  const cw = span / width;
  const groups = new Map<number, Stat[]>();
  for (const s of stats) {
    const col = Math.min(width - 1, Math.floor(Number(s.firstStep - from) / cw));
    (groups.get(col) ?? groups.set(col, []).get(col)!).push(s);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => mergeAll(groups.get(k)!)!);
}

export type XMode = "step" | "time" | "relative";
type Pt = { step: bigint; value: number; ts: number };

function m4Points(c: Column): Pt[] {
  const pts: Pt[] = [{ step: c.firstStep, value: c.firstValue, ts: c.firstTs }];
  if (c.minStep !== null) pts.push({ step: c.minStep, value: c.min!, ts: c.minTs! });
  if (c.maxStep !== null) pts.push({ step: c.maxStep, value: c.max!, ts: c.maxTs! });
  pts.push({ step: c.lastStep, value: c.lastValue, ts: c.lastTs });
  pts.sort((a, b) => (a.step < b.step ? -1 : a.step > b.step ? 1 : 0));
  return pts.filter((p, i) => i === 0 || p.step !== pts[i - 1].step);
}

const kindOf = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf") as "nan" | "inf" | "-inf";

/** The wire shape of lib/schemas/metrics.ts ZSeries, without the series identity. */
export function shapeSeries(columns: Column[], exactPoints: Pt[] | null, x: XMode, origin: number) {
  const xOf = (p: { step: bigint; ts: number }) => (x === "step" ? Number(p.step) : x === "time" ? p.ts : p.ts - origin);
  const points = { x: [] as number[], step: [] as number[], y: [] as (number | null)[] };
  const nonFinite = { x: [] as number[], step: [] as number[], kind: [] as ("nan" | "inf" | "-inf")[] };
  const band = { x0: [] as number[], x1: [] as number[], min: [] as (number | null)[], max: [] as (number | null)[] };
  const emit = (p: Pt) => {
    points.x.push(xOf(p));
    points.step.push(Number(p.step));
    const finite = Number.isFinite(p.value);
    points.y.push(finite ? p.value : null);
    if (!finite) {
      nonFinite.x.push(xOf(p));
      nonFinite.step.push(Number(p.step));
      nonFinite.kind.push(kindOf(p.value));
    }
  };
  if (exactPoints) {
    exactPoints.forEach(emit);
    return { points, band, nonFinite };
  }
  for (const c of columns) {
    m4Points(c).forEach(emit);
    band.x0.push(xOf({ step: c.firstStep, ts: c.firstTs }));
    band.x1.push(xOf({ step: c.lastStep, ts: c.lastTs }));
    band.min.push(c.min);
    band.max.push(c.max);
    // Non-finite points inside a column are known by count; mark them at the column unless M4 already shows one.
    if (c.nanCount + c.posInfCount + c.negInfCount === 0) continue;
    const shown = new Set(nonFinite.step.slice(-4).map(String));
    const mid = { step: (c.firstStep + c.lastStep) / 2n, ts: Math.round((c.firstTs + c.lastTs) / 2) };
    for (const [count, kind] of [[c.nanCount, "nan"], [c.posInfCount, "inf"], [c.negInfCount, "-inf"]] as const) {
      const alreadyShown = [c.firstStep, c.lastStep].some((s) => shown.has(String(s)) && nonFinite.kind[nonFinite.step.lastIndexOf(Number(s))] === kind);
      if (count > 0 && !alreadyShown) {
        nonFinite.x.push(xOf(mid));
        nonFinite.step.push(Number(mid.step));
        nonFinite.kind.push(kind);
      }
    }
  }
  return { points, band, nonFinite };
}
