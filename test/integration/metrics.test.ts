import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { LEVELS } from "../../lib/metrics/bucket";
import type { Point } from "../../lib/metrics/parse-batch";
import { ZMetricQuery } from "../../lib/schemas/metrics";
import { ingestMetrics } from "../../lib/services/runs/ingest-metrics";
import { compareMetrics, readRunMetric } from "../../lib/services/runs/read-metrics";
import { transitionRun } from "../../lib/services/runs/transition-run";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";

const pts = (n: number, f: (i: number) => number, key = "loss", offset = 0): Point[] =>
  Array.from({ length: n }, (_, i) => ({ key, step: BigInt(i + offset), value: f(i + offset), ts: 1_700_000_000_000 + (i + offset) * 1000 }));

async function rollupRows(runId: string) {
  const keys = (await db.metricKey.findMany({ where: { runId } })).map((k) => k.id);
  const rows = await db.metricRollup.findMany({ where: { keyId: { in: keys } }, orderBy: [{ keyId: "asc" }, { level: "asc" }, { bucket: "asc" }] });
  return rows.map(({ keyId: _k, ...r }) => r);
}

async function rollupSnapshot(runId: string) {
  return JSON.stringify(await rollupRows(runId), (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

describe("metric ingest", () => {
  it("a replayed batch changes nothing", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx);
    const batch = pts(5000, (i) => Math.sin(i));
    expect(await ingestMetrics(ctx, run.id, batch)).toEqual({ accepted: 5000, inserted: 5000, updated: 0, unchanged: 0 });
    const before = await rollupSnapshot(run.id);
    expect(await ingestMetrics(ctx, run.id, batch)).toEqual({ accepted: 5000, inserted: 0, updated: 0, unchanged: 5000 });
    expect(await rollupSnapshot(run.id)).toBe(before);
  });

  it("rollups equal a from-scratch rebuild after appends, overwrites and out-of-order batches", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    const a = await makeRun(ctx);
    const b = await makeRun(ctx);
    const f = (i: number) => (i % 97 === 0 ? NaN : i % 89 === 0 ? Infinity : Math.cos(i / 10) * i);
    // a: in pieces, out of order, then a resumed run overwrites steps 3000..3999 with new values.
    await ingestMetrics(ctx, a.id, pts(2000, f, "loss", 2000));
    await ingestMetrics(ctx, a.id, pts(2000, f, "loss", 0));
    await ingestMetrics(ctx, a.id, pts(1000, (i) => f(i) + 1, "loss", 3000));
    // b: the final state in one batch.
    const final = [...pts(3000, f), ...pts(1000, (i) => f(i) + 1, "loss", 3000)];
    await ingestMetrics(ctx, b.id, final);
    const [ra, rb] = [await rollupRows(a.id), await rollupRows(b.id)];
    expect(ra.length).toBe(rb.length);
    // Sums may differ in the last bits with the order of addition; everything else must be identical.
    ra.forEach((row, i) => {
      expect({ ...row, sum: 0 }).toEqual({ ...rb[i], sum: 0 });
      expect(row.sum).toBeCloseTo(rb[i].sum, 6);
    });
    const levels = new Set((await db.metricRollup.findMany({ where: { keyId: (await db.metricKey.findFirstOrThrow({ where: { runId: a.id } })).id }, select: { level: true } })).map((r) => r.level));
    expect([...levels].sort((x, y) => x - y)).toEqual([...LEVELS]);
  });

  it("reads series whose steps are nanosecond timestamps (far apart, near the int64 limit)", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx);
    const base = 1_700_000_000_000_000_000n;
    await ingestMetrics(ctx, run.id, Array.from({ length: 2000 }, (_, i) => ({ key: "loss", step: base + BigInt(i) * 1_000_000_000n, value: i === 1234 ? 50 : 1, ts: 1_700_000_000_000 + i * 1000 })));
    const s = await readRunMetric(actor, run.id, ZMetricQuery.parse({ key: "loss", width: 100 }));
    expect(s.rawPoints).toBe(2000);
    expect(Math.max(...(s.points.y as number[]))).toBe(50);
  });

  it("within one batch the later point for a step wins", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx);
    const r = await ingestMetrics(ctx, run.id, [
      { key: "loss", step: 5n, value: 1, ts: 1000 },
      { key: "loss", step: 6n, value: 2, ts: 2000 },
      { key: "loss", step: 5n, value: 3, ts: 3000 },
    ]);
    expect(r).toEqual({ accepted: 2, inserted: 2, updated: 0, unchanged: 0 });
    const s = await readRunMetric(actor, run.id, ZMetricQuery.parse({ key: "loss" }));
    expect(s.points.y).toEqual([3, 2]);
  });

  it("NaN and ±Infinity round-trip and are marked, not dropped", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx);
    await ingestMetrics(ctx, run.id, [
      { key: "loss", step: 1n, value: 1, ts: 1000 },
      { key: "loss", step: 2n, value: NaN, ts: 2000 },
      { key: "loss", step: 3n, value: Infinity, ts: 3000 },
      { key: "loss", step: 4n, value: -Infinity, ts: 4000 },
    ]);
    const s = await readRunMetric(actor, run.id, ZMetricQuery.parse({ key: "loss" }));
    expect(s.exact).toBe(true);
    expect(s.points.y).toEqual([1, null, null, null]);
    expect(s.nonFinite).toEqual({ x: [2, 3, 4], step: [2, 3, 4], kind: ["nan", "inf", "-inf"] });
  });

  it("keeps the spike among 200,000 points at 500 px and zoomed in", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx);
    for (let off = 0; off < 200_000; off += 10_000) await ingestMetrics(ctx, run.id, pts(10_000, (i) => (i === 123_457 ? 99 : 1 + Math.sin(i / 500) / 10), "loss", off));
    const full = await readRunMetric(actor, run.id, ZMetricQuery.parse({ key: "loss", width: 500 }));
    expect(full.exact).toBe(false);
    expect(full.rawPoints).toBe(200_000);
    expect(full.points.y.length).toBeLessThanOrEqual(2000);
    expect(full.points.step[full.points.y.indexOf(99)]).toBe(123_457);
    const zoom = await readRunMetric(actor, run.id, ZMetricQuery.parse({ key: "loss", width: 500, from: 120_000, to: 121_999 }));
    expect(zoom.rawPoints).toBe(2000);
    expect(Math.max(...(zoom.points.y as number[]))).toBeLessThan(2);
    const time = await readRunMetric(actor, run.id, ZMetricQuery.parse({ key: "loss", width: 500, x: "relative", from: 123_000_000, to: 124_000_000 }));
    expect(time.rawPoints).toBe(1001);
    expect(Math.max(...(time.points.y as number[]))).toBe(99);
  });

  it("a stale lease epoch gets 409 and writes nothing; the current one writes", async () => {
    const { ctx, user } = await makeUser("ADMIN");
    const run = await makeRun(ctx);
    await transitionRun(ctx, run.id, { to: "STARTING", reason: "" });
    const worker = await db.worker.create({ data: { name: `w-${user.id}` } });
    await db.lease.create({ data: { runId: run.id, workerId: worker.id, epoch: 1, expiresAt: new Date(Date.now() + 60_000), releasedAt: new Date() } });
    await db.lease.create({ data: { runId: run.id, workerId: worker.id, epoch: 2, expiresAt: new Date(Date.now() + 60_000) } });
    await expect(ingestMetrics(ctx, run.id, pts(10, (i) => i), 1)).rejects.toMatchObject({ status: 409 });
    expect(await db.metricKey.count({ where: { runId: run.id } })).toBe(0);
    expect((await ingestMetrics(ctx, run.id, pts(10, (i) => i), 2)).inserted).toBe(10);
  });

  it("compares many runs' series in one request", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const runs = [await makeRun(ctx), await makeRun(ctx)];
    for (const [i, r] of runs.entries()) await ingestMetrics(ctx, r.id, pts(100, (s) => s * (i + 1)));
    const res = await compareMetrics(actor, { series: runs.map((r) => ({ runId: r.id, key: "loss" })), x: "step", width: 100 });
    expect(res.series.map((s) => s.points.y.at(-1))).toEqual([99, 198]);
    await expect(compareMetrics(actor, { series: [{ runId: "nope", key: "loss" }], x: "step", width: 100 })).rejects.toMatchObject({ status: 404 });
  });
});
