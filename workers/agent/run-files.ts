// Reading what the trainer writes into its run directory, from where the agent left off. The directory is the
// spool: whatever the server has not acknowledged is still on disk, and the offsets the agent saves after each
// acknowledged batch (agent-state.json) let a restarted agent go on without re-sending what was shipped.
import { existsSync, openSync, readSync, closeSync, fstatSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { ZMetricKey } from "../../lib/schemas/metrics";

export type Point = { key: string; step: number | string; value: number | string; ts: number };
export type Malformed = { line: number; message: string };

/** At most this much of the file is read per call, so a huge backlog is shipped in bounded pieces. */
const MAX_READ = 4 * 1024 * 1024;

/** Complete lines of `file` after byte `offset` (a line without its '\n' yet is left for next time, unless
 * `takeRest`: the writer has exited, so a last line without '\n' is as complete as it will get). */
export function readNewLines(file: string, offset: number, lineNo: number, maxRead = MAX_READ, takeRest = false) {
  if (!existsSync(file)) return { lines: [] as { no: number; text: string }[], offset, lineNo };
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { lines: [], offset, lineNo };
    const buf = Buffer.alloc(Math.min(maxRead, size - offset));
    const n = readSync(fd, buf, 0, buf.length, offset);
    if (takeRest && offset + n === size && buf[n - 1] !== 10) {
      const texts = buf.subarray(0, n).toString("utf8").split("\n");
      return { lines: texts.map((text, i) => ({ no: lineNo + i + 1, text })), offset: offset + n, lineNo: lineNo + texts.length };
    }
    const end = buf.subarray(0, n).lastIndexOf(10);
    if (end < 0) {
      // One line longer than the whole window: skip it rather than stall forever.
      if (n === maxRead) return { lines: [{ no: lineNo + 1, text: "\u0000too long" }], offset: offset + n, lineNo: lineNo + 1 };
      return { lines: [], offset, lineNo };
    }
    const texts = buf.subarray(0, end).toString("utf8").split("\n");
    return { lines: texts.map((text, i) => ({ no: lineNo + i + 1, text })), offset: offset + end + 1, lineNo: lineNo + texts.length };
  } finally {
    closeSync(fd);
  }
}

const RESERVED = new Set(["step", "ts", "event"]);

/** metrics.jsonl lines → points (and the steps of checkpoint events); a bad line is reported and skipped. */
export function toPoints(lines: { no: number; text: string }[]) {
  const points: Point[] = [];
  const malformed: Malformed[] = [];
  const checkpoints: number[] = [];
  for (const { no, text } of lines) {
    if (!text.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch {
      malformed.push({ line: no, message: text.startsWith("\u0000") ? "line longer than the read window (4 MiB)" : "not JSON" });
      continue;
    }
    if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
      malformed.push({ line: no, message: "not a JSON object" });
      continue;
    }
    const r = rec as Record<string, unknown>;
    if ("event" in r) {
      if (r.event === "checkpoint" && typeof r.step === "number" && Number.isSafeInteger(r.step) && r.step >= 0) checkpoints.push(r.step);
      continue;
    }
    const step = r.step;
    // The server's own rules, checked here: one point it would refuse must not hold back the whole batch.
    const int64 = typeof step === "string" && /^-?\d{1,19}$/.test(step) && BigInt(step) >= -(2n ** 63n) && BigInt(step) < 2n ** 63n;
    if (!(typeof step === "number" && Number.isSafeInteger(step)) && !int64) {
      malformed.push({ line: no, message: "step must be an integer within int64 (beyond 2^53 as a string)" });
      continue;
    }
    const ts = typeof r.ts === "number" && Number.isFinite(r.ts) ? r.ts : Date.now() / 1000;
    for (const [key, value] of Object.entries(r)) {
      if (RESERVED.has(key)) continue;
      if (!ZMetricKey.safeParse(key).success) {
        malformed.push({ line: no, message: `metric name ${JSON.stringify(key).slice(0, 80)} is not allowed (at most 256 characters, no control characters)` });
        continue;
      }
      if (typeof value === "number" || value === "NaN" || value === "Infinity" || value === "-Infinity") points.push({ key, step, value, ts });
      else malformed.push({ line: no, message: `value of ${JSON.stringify(key).slice(0, 80)} is not a number` });
    }
  }
  return { points, malformed, checkpoints };
}

export type ShipState = {
  metricsOffset: number;
  metricsLine: number;
  stdoutOffset: number;
  stderrOffset: number;
  logSeq: number;
  /** Checkpoint steps the trainer finished and the server doesn't have yet, oldest first. */
  pendingUploads: number[];
  /** The tus URL of an upload under way, per step: a restart resumes it instead of starting over. */
  uploadUrls: Record<string, string>;
  /** The lease epoch the uploads were begun under (an upload belongs to its lease). */
  epoch: number;
};
const FRESH: ShipState = { metricsOffset: 0, metricsLine: 0, stdoutOffset: 0, stderrOffset: 0, logSeq: 0, pendingUploads: [], uploadUrls: {}, epoch: 0 };

export function loadState(runDir: string): ShipState {
  try {
    return { ...FRESH, ...JSON.parse(readFileSync(path.join(runDir, "agent-state.json"), "utf8")) };
  } catch {
    return { ...FRESH };
  }
}

/** Written atomically (rename), so a crash leaves the old state or the new, never half of one. */
export function saveState(runDir: string, s: ShipState) {
  const file = path.join(runDir, "agent-state.json");
  writeFileSync(`${file}.tmp`, JSON.stringify(s));
  renameSync(`${file}.tmp`, file);
}
