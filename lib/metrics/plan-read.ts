// Which rollup buckets and which raw edge ranges answer a read of [from, to] at `width` pixels.
import { TOP_LEVEL, widthOf } from "./bucket";

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const ceilDiv = (a: bigint, b: bigint) => -floorDiv(-a, b);

export type ReadPlan =
  | { kind: "raw"; from: bigint; to: bigint }
  | { kind: "buckets"; level: number; firstBucket: bigint; lastBucket: bigint; head: [bigint, bigint] | null; tail: [bigint, bigint] | null };

export function planRead(from: bigint, to: bigint, width: number): ReadPlan {
  const span = to - from + 1n;
  // The coarsest level whose bucket still fits inside one pixel column.
  let level = 0;
  while (level < TOP_LEVEL && widthOf(level + 1) * BigInt(width) <= span) level++;
  if (level === 0) return { kind: "raw", from, to };
  const w = widthOf(level);
  const firstBucket = ceilDiv(from, w);
  const lastBucket = floorDiv(to + 1n, w) - 1n;
  if (lastBucket < firstBucket) return { kind: "raw", from, to };
  const fullFrom = firstBucket * w;
  const fullTo = (lastBucket + 1n) * w - 1n;
  return {
    kind: "buckets",
    level,
    firstBucket,
    lastBucket,
    head: fullFrom > from ? [from, fullFrom - 1n] : null,
    tail: fullTo < to ? [fullTo + 1n, to] : null,
  };
}
