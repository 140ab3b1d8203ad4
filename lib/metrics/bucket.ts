// Summaries of a set of points, mergeable: the rollups and the M4 columns are both built from these.
export type Stat = {
  count: number;
  sum: number;
  min: number | null;
  minStep: bigint | null;
  minTs: number | null;
  max: number | null;
  maxStep: bigint | null;
  maxTs: number | null;
  firstStep: bigint;
  firstValue: number;
  firstTs: number;
  lastStep: bigint;
  lastValue: number;
  lastTs: number;
  nanCount: number;
  posInfCount: number;
  negInfCount: number;
};

/** Bucket widths are 8^level steps; level 21 (2^63 steps) holds any int64 series in one or two buckets. */
export const TOP_LEVEL = 21;
export const LEVELS = Array.from({ length: TOP_LEVEL }, (_, i) => i + 1);
export const SHIFT = 3n;

export const widthOf = (level: number) => 1n << (SHIFT * BigInt(level));
export const bucketOf = (step: bigint, level: number) => step >> (SHIFT * BigInt(level));

export function pointStat(step: bigint, value: number, ts: number): Stat {
  const finite = Number.isFinite(value);
  return {
    count: 1,
    sum: finite ? value : 0,
    min: finite ? value : null,
    minStep: finite ? step : null,
    minTs: finite ? ts : null,
    max: finite ? value : null,
    maxStep: finite ? step : null,
    maxTs: finite ? ts : null,
    firstStep: step,
    firstValue: value,
    firstTs: ts,
    lastStep: step,
    lastValue: value,
    lastTs: ts,
    nanCount: Number.isNaN(value) ? 1 : 0,
    posInfCount: value === Infinity ? 1 : 0,
    negInfCount: value === -Infinity ? 1 : 0,
  };
}

/** Merges summaries of two disjoint sets of points. Ties keep the earlier step, so results don't depend on order. */
export function merge(a: Stat, b: Stat): Stat {
  const [lo, hi] = a.firstStep <= b.firstStep ? [a, b] : [b, a];
  const last = a.lastStep >= b.lastStep ? a : b;
  const pickMin = lo.min === null ? hi : hi.min === null ? lo : hi.min < lo.min || (hi.min === lo.min && hi.minStep! < lo.minStep!) ? hi : lo;
  const pickMax = lo.max === null ? hi : hi.max === null ? lo : hi.max > lo.max || (hi.max === lo.max && hi.maxStep! < lo.maxStep!) ? hi : lo;
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: pickMin.min,
    minStep: pickMin.minStep,
    minTs: pickMin.minTs,
    max: pickMax.max,
    maxStep: pickMax.maxStep,
    maxTs: pickMax.maxTs,
    firstStep: lo.firstStep,
    firstValue: lo.firstValue,
    firstTs: lo.firstTs,
    lastStep: last.lastStep,
    lastValue: last.lastValue,
    lastTs: last.lastTs,
    nanCount: a.nanCount + b.nanCount,
    posInfCount: a.posInfCount + b.posInfCount,
    negInfCount: a.negInfCount + b.negInfCount,
  };
}

/** Adds one point that comes after every point already in `s` (ingest sorts by step), in place. */
export function appendPoint(s: Stat, step: bigint, value: number, ts: number) {
  s.count++;
  s.lastStep = step;
  s.lastValue = value;
  s.lastTs = ts;
  if (Number.isFinite(value)) {
    s.sum += value;
    if (s.min === null || value < s.min) [s.min, s.minStep, s.minTs] = [value, step, ts];
    if (s.max === null || value > s.max) [s.max, s.maxStep, s.maxTs] = [value, step, ts];
  } else if (Number.isNaN(value)) s.nanCount++;
  else if (value > 0) s.posInfCount++;
  else s.negInfCount++;
}

/** merge() into `a` in place: the ingest path merges ~10^4 summaries per batch and allocation showed. */
export function mergeInto(a: Stat, b: Stat): Stat {
  const m = merge(a, b);
  return Object.assign(a, m);
}

export function mergeAll(stats: Stat[]): Stat | null {
  let out: Stat | null = null;
  for (const s of stats) out = out ? merge(out, s) : s;
  return out;
}
