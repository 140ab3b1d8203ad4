// Turns an ingest body's text (JSON or NDJSON) into validated points, or a 400 naming the bad point's index and
// field. Nothing is written unless every point is valid. The work is bounded before it is done: a JSON body is
// parsed in one go only when a cheap native count of its separators says it can't hold much more than 10,000
// points (so 8 MiB of `{},{},…` never reaches JSON.parse), and NDJSON is parsed a line at a time, yielding to
// the event loop as it goes and stopping at the first bad line or the 10,001st point.
import { DomainError, invalid, type FieldError } from "../errors";
import { INT64_MAX, INT64_MIN, MAX_BATCH_POINTS, ZMetricKey } from "../schemas/metrics";

export type Point = { key: string; step: bigint; value: number; ts: number };

const NONFINITE: Record<string, number> = { nan: NaN, inf: Infinity, "+inf": Infinity, infinity: Infinity, "+infinity": Infinity, "-inf": -Infinity, "-infinity": -Infinity };
/** A point line is a flat object of four short fields; a key of 256 characters escaped as \uXXXX is 1.5 KiB. */
const MAX_LINE = 4096;
/** A JSON batch of 10,000 points has ~60,000 separators and 10,001 objects; keys full of commas or braces can
 * add more, up to these budgets. */
const JSON_BUDGET = { ",": 12 * MAX_BATCH_POINTS, "{": 2 * MAX_BATCH_POINTS + 10, "[": 2 * MAX_BATCH_POINTS + 10 };

const tooLargeBatch = (message: string) => new DomainError(`The batch is too large: ${message}`, 413, "Payload too large", [{ field: "points", message }]);

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
  if (items.length > MAX_BATCH_POINTS) throw tooLargeBatch(`more than ${MAX_BATCH_POINTS} points in one batch`);
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

function countUpTo(text: string, ch: string, max: number) {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1 && n <= max; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

function parseJsonBatch(text: string) {
  for (const [ch, max] of Object.entries(JSON_BUDGET)) {
    if (countUpTo(text, ch, max) > max) {
      throw tooLargeBatch(`more than ${max} "${ch}" in one JSON body: send at most ${MAX_BATCH_POINTS} points, or NDJSON (one point per line)`);
    }
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

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

async function parseNdjsonBatch(text: string) {
  const items: unknown[] = [];
  const nonBlank = /\S/g;
  let line = 0;
  for (let pos = 0; ; ) {
    nonBlank.lastIndex = pos;
    const found = nonBlank.exec(text);
    if (!found) break;
    // Line numbers count the newlines skipped, for the error message only.
    for (let i = text.indexOf("\n", pos); i !== -1 && i < found.index; i = text.indexOf("\n", i + 1)) line++;
    const end = text.indexOf("\n", found.index);
    const raw = text.slice(found.index, end === -1 ? text.length : end).trimEnd();
    pos = end === -1 ? text.length : end;
    if (items.length === MAX_BATCH_POINTS) throw tooLargeBatch(`more than ${MAX_BATCH_POINTS} points in one batch`);
    const at = `points[${items.length}]`;
    if (raw.length > MAX_LINE || raw[0] !== "{") throw invalid("A line is not a point; nothing was written", [{ field: at, message: `line ${line + 1} is not a JSON object of at most ${MAX_LINE} characters` }]);
    try {
      items.push(JSON.parse(raw));
    } catch {
      throw invalid("A line is not valid JSON; nothing was written", [{ field: at, message: `line ${line + 1} is not JSON` }]);
    }
    if (items.length % 2000 === 0) await yieldToLoop();
  }
  return { points: validatePoints(items) };
}

/** `{"points": [...], "epoch": n}` as JSON, or one point per line as NDJSON. */
export async function parseBatch(text: string, contentType: string): Promise<{ points: Point[]; epoch?: number }> {
  return /ndjson|jsonl|x-ndjson/i.test(contentType) ? parseNdjsonBatch(text) : parseJsonBatch(text);
}
