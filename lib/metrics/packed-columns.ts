// Pixel columns from buckets packed as float8s (read-series.ts readColumns), merged with plain numbers: the same
// rules as bucket.ts merge() (first and last by step; min and max by value, ties to the earlier step), but one
// accumulator per column instead of an object per bucket and per merge, and BigInt steps made once per column.
// Only for steps within ±2^53, where a float64 holds every step exactly.
import type { Column } from "./m4";

/** Per bucket or edge point, in this order; the four times only on a time axis. A missing min or max (no finite
 * value) and its step and time travel as NaN, which none of them can be. */
export const PACKED_FIELDS = ["count", "min", "minStep", "max", "maxStep", "firstStep", "firstValue", "lastStep", "lastValue", "nanCount", "posInfCount", "negInfCount"] as const;
export const PACKED_TIMES = ["minTs", "maxTs", "firstTs", "lastTs"] as const;

const [COUNT, MIN, MIN_STEP, MAX, MAX_STEP, FIRST_STEP, FIRST_VALUE, LAST_STEP, LAST_VALUE, NAN, POS_INF, NEG_INF, MIN_TS, MAX_TS, FIRST_TS, LAST_TS] = Array.from({ length: 16 }, (_, i) => i);

/** The packed float8s as numbers: swapped to this machine's byte order once, in place, then read as a Float64Array
 * (a DataView read per field cost ~0.5 ms of a 2,000-bucket read). */
function float8s(buf: Buffer): Float64Array {
  const aligned = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
  if (new Uint8Array(new Float64Array([1]).buffer)[0] === 0) aligned.swap64(); // little-endian host
  return new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
}

/** The pixel columns of packed buckets and edge points. Consumes `buf`: its bytes are swapped in place. */
export function packedColumns(buf: Buffer, withTime: boolean, from: bigint, to: bigint, width: number): Column[] {
  const n = withTime ? PACKED_FIELDS.length + PACKED_TIMES.length : PACKED_FIELDS.length;
  const f = float8s(buf);
  const cw = Number(to - from + 1n) / width;
  const origin = Number(from);
  // acc[col * 16 + field]; a column is empty while its count is 0.
  const acc = new Float64Array(width * 16);
  for (let o = 0; o < f.length; o += n) {
    const firstStep = f[o + FIRST_STEP];
    const col = Math.min(width - 1, Math.floor((firstStep - origin) / cw));
    const a = col * 16;
    const fresh = acc[a + COUNT] === 0;
    acc[a + COUNT] += f[o + COUNT];
    acc[a + NAN] += f[o + NAN];
    acc[a + POS_INF] += f[o + POS_INF];
    acc[a + NEG_INF] += f[o + NEG_INF];
    if (fresh || firstStep < acc[a + FIRST_STEP]) {
      acc[a + FIRST_STEP] = firstStep;
      acc[a + FIRST_VALUE] = f[o + FIRST_VALUE];
      if (withTime) acc[a + FIRST_TS] = f[o + FIRST_TS];
    }
    const lastStep = f[o + LAST_STEP];
    if (fresh || lastStep > acc[a + LAST_STEP]) {
      acc[a + LAST_STEP] = lastStep;
      acc[a + LAST_VALUE] = f[o + LAST_VALUE];
      if (withTime) acc[a + LAST_TS] = f[o + LAST_TS];
    }
    const min = f[o + MIN];
    if (fresh) acc[a + MIN] = acc[a + MAX] = NaN;
    if (!Number.isNaN(min)) {
      const have = acc[a + MIN];
      if (Number.isNaN(have) || min < have || (min === have && f[o + MIN_STEP] < acc[a + MIN_STEP])) {
        acc[a + MIN] = min;
        acc[a + MIN_STEP] = f[o + MIN_STEP];
        if (withTime) acc[a + MIN_TS] = f[o + MIN_TS];
      }
    }
    const max = f[o + MAX];
    if (!Number.isNaN(max)) {
      const have = acc[a + MAX];
      if (Number.isNaN(have) || max > have || (max === have && f[o + MAX_STEP] < acc[a + MAX_STEP])) {
        acc[a + MAX] = max;
        acc[a + MAX_STEP] = f[o + MAX_STEP];
        if (withTime) acc[a + MAX_TS] = f[o + MAX_TS];
      }
    }
  }
  const columns: Column[] = [];
  for (let col = 0; col < width; col++) {
    const a = col * 16;
    if (acc[a + COUNT] === 0) continue;
    const hasMin = !Number.isNaN(acc[a + MIN]);
    const hasMax = !Number.isNaN(acc[a + MAX]);
    columns.push({
      count: acc[a + COUNT],
      sum: 0,
      min: hasMin ? acc[a + MIN] : null,
      minStep: hasMin ? BigInt(acc[a + MIN_STEP]) : null,
      minTs: withTime && hasMin ? acc[a + MIN_TS] : null,
      max: hasMax ? acc[a + MAX] : null,
      maxStep: hasMax ? BigInt(acc[a + MAX_STEP]) : null,
      maxTs: withTime && hasMax ? acc[a + MAX_TS] : null,
      firstStep: BigInt(acc[a + FIRST_STEP]),
      firstValue: acc[a + FIRST_VALUE],
      firstTs: withTime ? acc[a + FIRST_TS] : 0,
      lastStep: BigInt(acc[a + LAST_STEP]),
      lastValue: acc[a + LAST_VALUE],
      lastTs: withTime ? acc[a + LAST_TS] : 0,
      nanCount: acc[a + NAN],
      posInfCount: acc[a + POS_INF],
      negInfCount: acc[a + NEG_INF],
    });
  }
  return columns;
}
