// Axis ticks at round numbers. The charts pass explicit domains (so zoom and shared axes are exact), and recharts
// then puts ticks at the raw domain ends (2.39, 0.641, 199,999); these give 0, 0.5, 1 … and 12:00, 12:15 … inside.
import type { XAxisKind } from "./format";

export type Axis = { domain: [number, number]; ticks: number[] };

const clean = (v: number) => Number(v.toPrecision(12));

/** 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return clean((f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p);
}

/** Multiples of `step` inside [lo, hi]. */
export function multiplesWithin(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && out.length < 1000; k++) out.push(clean(k * step));
  return out;
}

/**
 * A linear axis with a little air (2%) and round ticks inside it. The domain is not widened to the next round
 * number: that can waste a fifth of the height, and a spike should reach the top of the plot.
 */
export function linearAxis([lo, hi]: [number, number], count = 5): Axis {
  const span = hi - lo;
  let [a, b] = span > 0 ? [lo - span * 0.02, hi + span * 0.02] : [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)];
  // Air must not invent a sign the data never had: a learning rate axis should not dip below zero.
  if (lo >= 0 && a < 0) a = 0;
  else if (hi <= 0 && b > 0) b = 0;
  return { domain: [clean(a), clean(b)], ticks: multiplesWithin(a, b, niceStep((b - a) / count)) };
}

/** Log axis: powers of ten when the range spans a few decades, 1-2-5 steps within narrower ones. */
export function logAxis([lo, hi]: [number, number]): Axis {
  const f = hi > lo ? (hi / lo) ** 0.05 : 2;
  const domain: [number, number] = [lo / f, hi * f];
  const inside = (v: number) => v >= domain[0] * (1 - 1e-9) && v <= domain[1] * (1 + 1e-9);
  const from = Math.floor(Math.log10(domain[0]));
  const to = Math.ceil(Math.log10(domain[1]));
  const powers: number[] = [];
  const steps: number[] = [];
  for (let k = from; k <= to; k++) {
    const p = clean(10 ** k);
    if (inside(p)) powers.push(p);
    for (const m of [1, 2, 5]) if (inside(clean(m * 10 ** k))) steps.push(clean(m * 10 ** k));
  }
  if (powers.length >= 3) {
    const every = Math.ceil(powers.length / 8);
    return { domain, ticks: powers.filter((_, i) => i % every === 0) };
  }
  if (steps.length >= 2) return { domain, ticks: steps };
  return { domain, ticks: multiplesWithin(domain[0], domain[1], niceStep((domain[1] - domain[0]) / 4)) };
}

export function yAxisFor(extent: [number, number], logY: boolean): Axis {
  return logY ? logAxis(extent) : linearAxis(extent);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((s) => s * SECOND).concat([1, 2, 5, 10, 15, 30].map((m) => m * MINUTE), [1, 2, 3, 6, 12].map((h) => h * HOUR), [1, 2, 7, 14].map((d) => d * DAY));

/**
 * At most `count` ticks inside the domain, never widening it. Time axes step in clock units; wall time is aligned
 * to the viewer's local clock so hour ticks land on the hour in every time zone.
 */
export function xTicks([lo, hi]: [number, number], axis: XAxisKind, count: number, zoneOffset = localZoneOffset): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  if (axis === "step" || raw < SECOND) return multiplesWithin(lo, hi, axis === "step" ? Math.max(1, niceStep(raw)) : niceStep(raw));
  const step = TIME_STEPS.find((s) => s >= raw) ?? niceStep(raw / DAY) * DAY;
  if (axis === "relative") return multiplesWithin(lo, hi, step);
  const offset = zoneOffset(lo);
  return multiplesWithin(lo - offset, hi - offset, step).map((t) => t + offset);
}

/** Milliseconds to add to local clock time to get UTC (what Date#getTimezoneOffset says, in ms). */
function localZoneOffset(t: number): number {
  return new Date(t).getTimezoneOffset() * MINUTE;
}

/** A dragged range as the API is asked for it: whole steps on the step axis, where fractions mean nothing. */
export function zoomRange(from: number, to: number, axis: XAxisKind): [number, number] {
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  return axis === "step" ? [Math.floor(lo), Math.ceil(hi)] : [lo, hi];
}
