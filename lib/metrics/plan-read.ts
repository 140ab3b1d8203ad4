// Which rollup buckets and which raw steps answer a read of [from, to] at `width` pixels. The middle is
// covered by whole buckets of the coarsest level that fits in a pixel column; each edge by whole buckets of
// finer levels, down to fewer than 8 raw steps, so a read costs O(width + levels), never O(series length).
import { TOP_LEVEL, widthOf } from "./bucket";

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const ceilDiv = (a: bigint, b: bigint) => -floorDiv(-a, b);

export type Segment = { level: number; firstBucket: bigint; lastBucket: bigint };
export type ReadPlan = { level: number; segments: Segment[]; raw: [bigint, bigint][] };

function cover(a: bigint, b: bigint, level: number, plan: ReadPlan) {
  if (b < a) return;
  if (level === 0) return void plan.raw.push([a, b]);
  const w = widthOf(level);
  const first = ceilDiv(a, w);
  const last = floorDiv(b + 1n, w) - 1n;
  if (last < first) return cover(a, b, level - 1, plan);
  plan.segments.push({ level, firstBucket: first, lastBucket: last });
  cover(a, first * w - 1n, level - 1, plan);
  cover((last + 1n) * w, b, level - 1, plan);
}

export function planRead(from: bigint, to: bigint, width: number): ReadPlan {
  const span = to - from + 1n;
  let level = 0;
  while (level < TOP_LEVEL && widthOf(level + 1) * BigInt(width) <= span) level++;
  const plan: ReadPlan = { level, segments: [], raw: [] };
  cover(from, to, level, plan);
  return plan;
}
