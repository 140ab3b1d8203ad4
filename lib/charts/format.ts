// Axis and value text. Steps are counts, so they get separators; wall time is shown in the viewer's zone;
// relative time reads like a stopwatch. Values keep full precision where people read them exactly (tooltip, CSV).

export type XAxisKind = "step" | "time" | "relative";

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const DAY = 86_400_000;

export function formatStep(step: number): string {
  return integer.format(Math.round(step));
}

/** h:mm:ss; hours keep counting past a day so long runs stay comparable. */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** The full form, for tooltips and summaries. */
export function formatX(x: number, axis: XAxisKind): string {
  if (axis === "step") return formatStep(x);
  if (axis === "relative") return formatElapsed(x);
  return new Date(x).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Tick labels: wall time drops the date while the visible span is under a day. */
export function formatXTick(x: number, axis: XAxisKind, span: number): string {
  if (axis !== "time") return formatX(x, axis);
  const d = new Date(x);
  if (span < DAY) return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** Shortest text that reads back as the same double: nothing is rounded away. */
export function formatValue(v: number): string {
  return String(v);
}

export function formatTick(v: number): string {
  return compact(v, 3);
}

/** Four significant digits: enough to read a value at a glance; the tooltip has the rest. */
export function formatCompact(v: number): string {
  return compact(v, 4);
}

function compact(v: number, digits: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "1 point", "2,048 points". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? noun : plural}`;
}
