// For random series, every pixel column the reader returns carries exactly the raw minimum and maximum of
// the points it covers, at every zoom, and no point is dropped from the count.
import { describe, expect, it } from "vitest";
import { bucketOf, LEVELS, merge, pointStat, type Stat } from "../../../lib/metrics/bucket";
import { shapeSeries, toColumns } from "../../../lib/metrics/m4";
import { planRead } from "../../../lib/metrics/plan-read";
import { rng } from "../../support/seeded-random";

type P = { step: bigint; value: number; ts: number };

function series(n: number, rand: () => number): P[] {
  const pts: P[] = [];
  let step = BigInt(Math.floor(rand() * 50));
  let v = 1;
  for (let i = 0; i < n; i++) {
    step += 1n + (rand() < 0.1 ? BigInt(Math.floor(rand() * 20)) : 0n); // gaps
    v += rand() - 0.5;
    const r = rand();
    const value = r < 0.002 ? NaN : r < 0.003 ? Infinity : r < 0.006 ? v + (rand() - 0.5) * 500 : v; // spikes
    pts.push({ step, value, ts: 1_700_000_000_000 + Number(step) * 10 });
  }
  return pts;
}

/** What the database holds: rollups built point by point (the levels these reads can use). */
function rollups(pts: P[], maxLevel = 8) {
  const m = new Map<string, Stat>();
  for (const p of pts) for (const l of LEVELS.filter((x) => x <= maxLevel)) {
    const k = `${l}:${bucketOf(p.step, l)}`;
    const s = pointStat(p.step, p.value, p.ts);
    m.set(k, m.has(k) ? merge(m.get(k)!, s) : s);
  }
  return m;
}

function read(pts: P[], roll: Map<string, Stat>, from: bigint, to: bigint, width: number) {
  const plan = planRead(from, to, width);
  const raw = (a: bigint, b: bigint) => pts.filter((p) => p.step >= a && p.step <= b).map((p) => pointStat(p.step, p.value, p.ts));
  if (plan.level === 0) return toColumns(raw(from, to), from, to, width);
  const stats: Stat[] = [];
  for (const seg of plan.segments) {
    for (let b = seg.firstBucket; b <= seg.lastBucket; b++) {
      const s = roll.get(`${seg.level}:${b}`);
      if (s) stats.push(s);
    }
  }
  for (const [a, b] of plan.raw) {
    expect(b - a).toBeLessThan(8n); // edges are covered by finer buckets, never by long raw reads
    stats.push(...raw(a, b));
  }
  return toColumns(stats, from, to, width);
}

describe("M4 downsampling over rollups (property)", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`keeps every column's min and max, seed ${seed}`, () => {
      const rand = rng(seed);
      const pts = series(20_000 + Math.floor(rand() * 30_000), rand);
      const roll = rollups(pts);
      const first = pts[0].step;
      const last = pts[pts.length - 1].step;
      for (let zoom = 0; zoom < 8; zoom++) {
        const span = (last - first) / BigInt(1 + zoom * zoom * 7);
        const from = first + BigInt(Math.floor(rand() * Number(last - first - span)));
        const to = from + span;
        const width = 50 + Math.floor(rand() * 950);
        const columns = read(pts, roll, from, to, width);
        expect(columns.length).toBeLessThanOrEqual(width);
        const inRange = pts.filter((p) => p.step >= from && p.step <= to);
        expect(columns.reduce((n, c) => n + c.count, 0)).toBe(inRange.length);
        for (const c of columns) {
          const mine = inRange.filter((p) => p.step >= c.firstStep && p.step <= c.lastStep);
          expect(mine.length).toBe(c.count);
          const finite = mine.map((p) => p.value).filter(Number.isFinite);
          expect(c.min).toBe(finite.length ? Math.min(...finite) : null);
          expect(c.max).toBe(finite.length ? Math.max(...finite) : null);
          expect(c.nanCount).toBe(mine.filter((p) => Number.isNaN(p.value)).length);
        }
      }
    });
  }

  it("reads a few buckets per level at the edges, whatever the series length", () => {
    const plan = planRead(12_345n, 123_456_789_012n, 10);
    expect(plan.raw.every(([a, b]) => b - a < 8n)).toBe(true);
    const bucketsRead = plan.segments.reduce((n, s) => n + Number(s.lastBucket - s.firstBucket + 1n), 0);
    expect(bucketsRead).toBeLessThan(10 * 8 + 2 * 7 * plan.level);
  });

  it("a single spike among a million points survives at full zoom-out", () => {
    const pts: P[] = [];
    for (let i = 0; i < 1_000_000; i++) pts.push({ step: BigInt(i), value: i === 654_321 ? 1000 : Math.sin(i / 1000), ts: i });
    const roll = rollups(pts, 3);
    const cols = read(pts, roll, 0n, 999_999n, 1000);
    const shaped = shapeSeries(cols, null, "step", 0);
    expect(shaped.points.y.length).toBeLessThanOrEqual(4000);
    expect(Math.max(...(shaped.points.y as number[]))).toBe(1000);
    expect(shaped.points.step[shaped.points.y.indexOf(1000)]).toBe(654_321);
  });
});
