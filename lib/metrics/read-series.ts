// Reads one series for a chart: at most ~4 points per pixel column, from the rollup level whose buckets are
// just narrower than a column, plus raw points at the two range edges. Cost grows with the pixel width, not
// with the series length.
import type pg from "pg";
import { pointStat, TOP_LEVEL, type Stat } from "./bucket";
import { planRead, type Segment } from "./plan-read";
import { shapeSeries, toColumns, type XMode } from "./m4";


type Extent = { first: bigint; last: bigint; count: number; firstTs: number; lastTs: number };

async function extentOf(c: pg.Pool | pg.PoolClient, keyId: number): Promise<Extent | null> {
  const r = await c.query(
    `SELECT min("firstStep") AS first, max("lastStep") AS last, sum(count) AS count,
       (extract(epoch from min("firstTs")) * 1000)::float8 AS "firstTs", (extract(epoch from max("lastTs")) * 1000)::float8 AS "lastTs"
     FROM "MetricRollup" WHERE "keyId" = $1 AND level = $2`,
    [keyId, TOP_LEVEL],
  );
  const e = r.rows[0];
  if (!e || e.first === null) return null;
  return { first: BigInt(e.first), last: BigInt(e.last), count: Number(e.count), firstTs: Number(e.firstTs), lastTs: Number(e.lastTs) };
}

/** The first step at or after time t (or last at or before), walking down the rollup levels. Wall time is
 * taken as rising with the step, which holds for a run's own points. */
async function stepAtTime(c: pg.Pool | pg.PoolClient, keyId: number, t: number, side: "from" | "to") {
  const cond = side === "from" ? `"lastTs" >= $3` : `"firstTs" <= $3`;
  const order = side === "from" ? "ASC" : "DESC";
  let lo: bigint | null = null;
  for (let level = TOP_LEVEL; level >= 1; level--) {
    const r = await c.query(
      `SELECT bucket FROM "MetricRollup" WHERE "keyId" = $1 AND level = $2 AND ${cond}
       ${lo === null ? "" : "AND bucket BETWEEN $4 AND $5"} ORDER BY bucket ${order} LIMIT 1`,
      lo === null ? [keyId, level, new Date(t)] : [keyId, level, new Date(t), (lo * 8n).toString(), (lo * 8n + 7n).toString()],
    );
    if (!r.rowCount) return null;
    lo = BigInt(r.rows[0].bucket);
  }
  const p = await c.query(
    `SELECT step FROM "MetricPoint" WHERE "keyId" = $1 AND step BETWEEN $2 AND $3 AND ts ${side === "from" ? ">=" : "<="} $4
     ORDER BY step ${order} LIMIT 1`,
    [keyId, (lo! * 8n).toString(), (lo! * 8n + 7n).toString(), new Date(t)],
  );
  return p.rowCount ? BigInt(p.rows[0].step) : null;
}

const msCol = (c: string) => `(extract(epoch from r."${c}") * 1000)::float8`;
const READ_COLUMNS = `r.count, r.min, r."minStep", r.max, r."maxStep", r."firstStep", r."firstValue", r."lastStep", r."lastValue", r."nanCount", r."posInfCount", r."negInfCount"`;
const TIME_COLUMNS = [msCol("minTs"), msCol("maxTs"), msCol("firstTs"), msCol("lastTs")].join(", ");

/** The buckets of a read: only the columns M4 needs (times only for a time axis), as arrays, since a read
 * parses up to ~8 rows per pixel and object rows with every column showed in profiles. */
async function readBuckets(c: pg.Pool | pg.PoolClient, keyId: number, segs: Segment[], withTime: boolean): Promise<Stat[]> {
  if (!segs.length) return [];
  const r = await c.query({
    text: `SELECT ${READ_COLUMNS}${withTime ? `, ${TIME_COLUMNS}` : ""} FROM unnest($2::int2[], $3::int8[], $4::int8[]) AS t(l, lo, hi)
      JOIN "MetricRollup" r ON r."keyId" = $1 AND r.level = t.l AND r.bucket BETWEEN t.lo AND t.hi`,
    values: [keyId, segs.map((s) => s.level), segs.map((s) => s.firstBucket.toString()), segs.map((s) => s.lastBucket.toString())],
    rowMode: "array",
  });
  return r.rows.map((v) => ({
    count: Number(v[0]),
    sum: 0,
    min: v[1] === null ? null : Number(v[1]),
    minStep: v[2] === null ? null : BigInt(v[2]),
    max: v[3] === null ? null : Number(v[3]),
    maxStep: v[4] === null ? null : BigInt(v[4]),
    firstStep: BigInt(v[5]),
    firstValue: Number(v[6]),
    lastStep: BigInt(v[7]),
    lastValue: Number(v[8]),
    nanCount: Number(v[9]),
    posInfCount: Number(v[10]),
    negInfCount: Number(v[11]),
    minTs: withTime && v[12] !== null ? Number(v[12]) : null,
    maxTs: withTime && v[13] !== null ? Number(v[13]) : null,
    firstTs: withTime ? Number(v[14]) : 0,
    lastTs: withTime ? Number(v[15]) : 0,
  }));
}

async function rawPoints(c: pg.Pool | pg.PoolClient, keyId: number, from: bigint, to: bigint) {
  if (to < from) return [];
  const r = await c.query({
    text: `SELECT step, value, (extract(epoch from ts) * 1000)::float8 FROM "MetricPoint" WHERE "keyId" = $1 AND step BETWEEN $2 AND $3 ORDER BY step`,
    values: [keyId, from.toString(), to.toString()],
    rowMode: "array",
  });
  return r.rows.map((p) => ({ step: BigInt(p[0]), value: Number(p[1]), ts: Number(p[2]) }));
}

export async function readSeries(c: pg.Pool | pg.PoolClient, keyId: number | null, q: { x: XMode; from?: number; to?: number; width: number }) {
  const empty = { extent: null, rawPoints: 0, pointsPerPixel: 0, exact: true, ...shapeSeries([], [], q.x, 0) };
  const ext = keyId === null ? null : await extentOf(c, keyId);
  if (!ext || keyId === null) return empty;
  const origin = ext.firstTs;
  const xExtent = q.x === "step" ? { from: Number(ext.first), to: Number(ext.last) } : q.x === "time" ? { from: ext.firstTs, to: ext.lastTs } : { from: 0, to: ext.lastTs - origin };
  let from = ext.first;
  let to = ext.last;
  if (q.x === "step") {
    if (q.from !== undefined) from = BigInt(Math.max(Math.ceil(q.from), Number(ext.first)));
    if (q.to !== undefined) to = BigInt(Math.min(Math.floor(q.to), Number(ext.last)));
  } else {
    // Relative times past the Date range clamp to it (ZBound keeps absolute ones inside).
    const base = q.x === "relative" ? origin : 0;
    const clamp = (t: number) => Math.max(-8.64e15, Math.min(8.64e15, t));
    if (q.from !== undefined) from = (await stepAtTime(c, keyId, clamp(q.from + base), "from")) ?? ext.last + 1n;
    if (q.to !== undefined) to = (await stepAtTime(c, keyId, clamp(q.to + base), "to")) ?? ext.first - 1n;
  }
  if (to < from) return { ...empty, extent: xExtent };
  const plan = planRead(from, to, q.width);
  if (plan.level === 0) {
    const pts = await rawPoints(c, keyId, from, to);
    const exact = pts.length <= 4 * q.width;
    const columns = exact ? [] : toColumns(pts.map((p) => pointStat(p.step, p.value, p.ts)), from, to, q.width);
    return { extent: xExtent, rawPoints: pts.length, pointsPerPixel: pts.length / q.width, exact, ...shapeSeries(columns, exact ? pts : null, q.x, origin) };
  }
  const [buckets, ...raws] = await Promise.all([readBuckets(c, keyId, plan.segments, q.x !== "step"), ...plan.raw.map(([a, b]) => rawPoints(c, keyId, a, b))]);
  const stats: Stat[] = [...buckets, ...raws.flat().map((p) => pointStat(p.step, p.value, p.ts))];
  const rawCount = stats.reduce((n, s) => n + s.count, 0);
  return { extent: xExtent, rawPoints: rawCount, pointsPerPixel: rawCount / q.width, exact: false, ...shapeSeries(toColumns(stats, from, to, q.width), null, q.x, origin) };
}
