// CSV of what a chart covers, one row per point (RFC 4180: CRLF line ends, fields with a comma, quote or line
// break wrapped in quotes, quotes doubled). Non-finite values are spelled as the literals most parsers read
// back (pandas, R, Python's float()). Text a user chose (run names, metric keys) that a spreadsheet would run as
// a formula gets a leading apostrophe (OWASP's advice); numbers are left as they are.
import type { Series } from "./prepare-series";

export const CSV_HEADER = ["run", "key", "step", "x", "value"] as const;

const LITERAL = { nan: "NaN", inf: "Infinity", "-inf": "-Infinity" } as const;

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A text field opened in Excel, LibreOffice or Sheets: never a formula. */
export function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function toCsvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(",");
}

export type CsvInput = { run: string; series: Series };

/** Rows of each series in x order, limited to [from, to] when given. */
export function seriesToCsv(items: readonly CsvInput[], range: { from?: number; to?: number } = {}): string {
  const lines = [toCsvLine(CSV_HEADER)];
  const inRange = (x: number) => (range.from === undefined || x >= range.from) && (range.to === undefined || x <= range.to);
  for (const { run, series: s } of items) {
    const rows: { x: number; step: number; value: string }[] = [];
    s.points.x.forEach((x, i) => {
      const y = s.points.y[i];
      if (y !== null && Number.isFinite(y) && inRange(x)) rows.push({ x, step: s.points.step[i], value: String(y) });
    });
    s.nonFinite.x.forEach((x, i) => {
      if (inRange(x)) rows.push({ x, step: s.nonFinite.step[i], value: LITERAL[s.nonFinite.kind[i]] });
    });
    rows.sort((a, b) => a.x - b.x || a.step - b.step);
    for (const r of rows) lines.push([csvText(run), csvText(s.key), String(r.step), String(r.x), r.value].join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** A file name safe on every OS. */
export function csvFileName(...parts: string[]): string {
  const base = parts.join("-").replace(/[^\w.-]+/g, "_").replace(/_+/g, "_").slice(0, 120);
  return `${base || "metrics"}.csv`;
}
