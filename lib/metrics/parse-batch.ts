// Turns an ingest body (JSON or NDJSON, optionally gzip) into validated points, or a 400 naming the bad
// point's index and field. Nothing is written unless every point is valid.
import { gunzipSync } from "node:zlib";
import { invalid, tooLarge, type FieldError } from "../errors";
import { INT64_MAX, INT64_MIN, MAX_BATCH_POINTS, ZMetricKey } from "../schemas/metrics";

export type Point = { key: string; step: bigint; value: number; ts: number };

const MAX_INFLATED = 32 * 1024 * 1024;
const NONFINITE: Record<string, number> = { nan: NaN, inf: Infinity, "+inf": Infinity, infinity: Infinity, "+infinity": Infinity, "-inf": -Infinity, "-infinity": -Infinity };

function decode(raw: Buffer, encoding: string | null) {
  if (!encoding || encoding === "identity") return raw.toString("utf8");
  if (encoding !== "gzip") throw invalid("Unsupported content-encoding", [{ field: "content-encoding", message: "use gzip or none" }]);
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_INFLATED }).toString("utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(MAX_INFLATED);
    throw invalid("The gzip body could not be decompressed", [{ field: "body", message: "corrupt gzip data" }]);
  }
}

function parseValue(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") return NONFINITE[v.trim().toLowerCase()];
  return undefined;
}

function parseStep(v: unknown): bigint | undefined {
  try {
    if (typeof v === "number" && Number.isInteger(v)) {
      if (!Number.isSafeInteger(v)) return undefined;
      return BigInt(v);
    }
    if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) {
      const b = BigInt(v);
      return b >= INT64_MIN && b <= INT64_MAX ? b : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function parseTs(v: unknown, now: number): number | undefined {
  if (v === undefined || v === null) return now;
  if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v < 1e11) return Math.round(v * 1000);
  if (typeof v === "string") {
    const t = Date.parse(v);
    // Years 1970–9999: what a training run can log, and what PostgreSQL stores.
    return Number.isNaN(t) || t < 0 || t > 253_402_300_799_999 ? undefined : t;
  }
  return undefined;
}

const KNOWN = new Set(["key", "step", "value", "ts"]);

export function validatePoints(items: unknown[], now = Date.now()): Point[] {
  if (items.length > MAX_BATCH_POINTS) throw tooLarge(MAX_BATCH_POINTS);
  const errors: FieldError[] = [];
  const points: Point[] = [];
  // A batch repeats a handful of keys thousands of times; each distinct key is validated once.
  const goodKeys = new Set<string>();
  for (let i = 0; i < items.length && errors.length < 20; i++) {
    const p = items[i] as Record<string, unknown>;
    const at = `points[${i}]`;
    if (typeof p !== "object" || p === null || Array.isArray(p)) {
      errors.push({ field: at, message: "expected an object {key, step, value, ts}" });
      continue;
    }
    for (const k of Object.keys(p)) if (!KNOWN.has(k)) errors.push({ field: `${at}.${k}`, message: "unknown field" });
    const key = typeof p.key === "string" && goodKeys.has(p.key) ? { success: true as const, data: p.key } : ZMetricKey.safeParse(p.key);
    if (key.success) goodKeys.add(key.data);
    else errors.push({ field: `${at}.key`, message: typeof p.key === "string" ? key.error.issues[0].message : "expected a string" });
    const step = parseStep(p.step);
    if (step === undefined) errors.push({ field: `${at}.step`, message: "expected an integer within int64 (send steps beyond 2^53 as strings)" });
    const value = parseValue(p.value);
    if (value === undefined) errors.push({ field: `${at}.value`, message: 'expected a number, or "NaN", "Infinity", "-Infinity"' });
    const ts = parseTs(p.ts, now);
    if (ts === undefined) errors.push({ field: `${at}.ts`, message: "expected unix seconds or an ISO 8601 time" });
    if (key.success && step !== undefined && value !== undefined && ts !== undefined) points.push({ key: key.data, step, value, ts });
  }
  if (errors.length) throw invalid(`${errors.length}${errors.length === 20 ? "+" : ""} invalid point field(s); nothing was written`, errors);
  return points;
}

/** `{"points": [...], "epoch": n}` as JSON, or one point per line as NDJSON. */
export function parseBatch(raw: Buffer, contentType: string, encoding: string | null): { points: Point[]; epoch?: number } {
  const text = decode(raw, encoding);
  if (/ndjson|jsonl|x-ndjson/i.test(contentType)) {
    const items: unknown[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (!line) continue;
      try {
        items.push(JSON.parse(line));
      } catch {
        throw invalid("A line is not valid JSON; nothing was written", [{ field: `points[${items.length}]`, message: `line ${i + 1} is not JSON` }]);
      }
    }
    return { points: validatePoints(items) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw invalid("The body is not valid JSON", [{ field: "body", message: (e as Error).message }]);
  }
  const b = body as { points?: unknown; epoch?: unknown };
  if (typeof b !== "object" || b === null || !Array.isArray(b.points)) throw invalid("Send {\"points\": [...]}", [{ field: "points", message: "expected an array" }]);
  const extra = Object.keys(b).filter((k) => k !== "points" && k !== "epoch");
  if (extra.length) throw invalid("Unknown fields", extra.map((k) => ({ field: k, message: "unknown field" })));
  if (b.epoch !== undefined && !(typeof b.epoch === "number" && Number.isInteger(b.epoch) && b.epoch >= 0)) {
    throw invalid("Invalid epoch", [{ field: "epoch", message: "expected a non-negative integer" }]);
  }
  return { points: validatePoints(b.points), epoch: b.epoch as number | undefined };
}
