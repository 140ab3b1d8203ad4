// Ordinary steps travel packed as float8 (readColumns); here, for random series with gaps,
// spikes, NaN and ±Infinity written through the real ingest path, those columns must equal the ones merged in
// JavaScript (any int64 path) field for field, and carry exactly the raw points' count, min and max.
import { describe, expect, it } from "vitest";
import { pool, sqlTransaction } from "../../lib/db/client";
import { ingestPoints } from "../../lib/metrics/ingest";
import type { Point } from "../../lib/metrics/parse-batch";
import { planRead } from "../../lib/metrics/plan-read";
import { locateSeries, readColumns, readColumnsExact } from "../../lib/metrics/read-series";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";
import { rng } from "../support/seeded-random";

function series(n: number, rand: () => number): Point[] {
  const out: Point[] = [];
  let step = BigInt(Math.floor(rand() * 1000)) - 500n;
  let v = 1;
  for (let i = 0; i < n; i++) {
    step += 1n + (rand() < 0.05 ? BigInt(Math.floor(rand() * 300)) : 0n);
    v += rand() - 0.5;
    const r = rand();
    const value = r < 0.002 ? NaN : r < 0.003 ? Infinity : r < 0.004 ? -Infinity : r < 0.008 ? v + (rand() - 0.5) * 500 : r < 0.02 ? Math.round(v) : v;
    out.push({ key: "loss", step, value, ts: 1_700_000_000_000 + Number(step) * 7 });
  }
  return out;
}

/** Comparable fields: `sum` is never read back, and times only matter on a time axis. */
const plain = (cols: unknown, withTime: boolean) =>
  JSON.parse(JSON.stringify(cols, (k, v) => (k === "sum" || (!withTime && /Ts$/.test(k)) ? undefined : typeof v === "bigint" ? v.toString() : Number.isNaN(v) ? "NaN" : v)));

describe("pixel columns from packed buckets", () => {
  for (const seed of [11, 12, 13]) {
    it(`equal the JavaScript merge and the raw points, seed ${seed}`, async () => {
      const rand = rng(seed);
      const { ctx } = await makeUser("RESEARCHER");
      const run = await makeRun(ctx);
      const pts = series(30_000 + Math.floor(rand() * 20_000), rand);
      for (let i = 0; i < pts.length; i += 10_000) await sqlTransaction((c) => ingestPoints(c, run.id, pts.slice(i, i + 10_000)));
      const [{ extent }] = await locateSeries(pool(), [{ runId: run.id, key: "loss" }]);
      const first = pts[0].step;
      const last = pts[pts.length - 1].step;
      for (let zoom = 0; zoom < 10; zoom++) {
        const span = (last - first) / BigInt(1 + zoom * zoom * 5);
        const from = first + BigInt(Math.floor(rand() * Number(last - first - span)));
        const to = from + span;
        const width = 20 + Math.floor(rand() * 980);
        const plan = planRead(from, to, width);
        if (plan.level === 0) continue;
        for (const withTime of [false, true]) {
          const db = await readColumns(pool(), extent!.keyId, plan, from, to, width, withTime);
          const js = await readColumnsExact(pool(), extent!.keyId, plan, from, to, width, withTime);
          expect(plain(db, withTime)).toEqual(plain(js, withTime));
        }
        const cols = await readColumns(pool(), extent!.keyId, plan, from, to, width, false);
        const inRange = pts.filter((p) => p.step >= from && p.step <= to);
        expect(cols.reduce((n, c) => n + c.count, 0)).toBe(inRange.length);
        for (const c of cols) {
          const mine = inRange.filter((p) => p.step >= c.firstStep && p.step <= c.lastStep);
          const finite = mine.map((p) => p.value).filter(Number.isFinite);
          expect(c.count).toBe(mine.length);
          expect(c.min).toBe(finite.length ? Math.min(...finite) : null);
          expect(c.max).toBe(finite.length ? Math.max(...finite) : null);
          expect(c.nanCount + c.posInfCount + c.negInfCount).toBe(mine.length - finite.length);
        }
      }
    });
  }
});
