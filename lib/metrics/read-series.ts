// Reads one series for a chart: at most ~4 points per pixel column, from the rollup level whose buckets are
// just narrower than a column, plus raw points at the two range edges. Cost grows with the pixel width, not
// with the series length.
import type pg from "pg";
import { pointStat, TOP_LEVEL, type Stat } from "./bucket";
import { planRead, type ReadPlan, type Segment } from "./plan-read";
import { shapeSeries, toColumns, type Column, type XMode } from "./m4";
import { packedColumns } from "./packed-columns";


export type Extent = { keyId: number; first: bigint; last: bigint; firstTs: number; lastTs: number };

/** Each run's existence, and for each (run, key) the series and its extent, in one round trip: the top rollup
 * level holds one or two buckets per series. `runs` lists the runs that exist. */
export async function locateSeries(c: pg.Pool | pg.PoolClient, wanted: { runId: string; key: string }[]) {
  const r = await c.query({
    name: "locate-series",
    text: `SELECT w.i, run.id IS NOT NULL AS found, k.id, e.first, e.last, e."firstTs", e."lastTs"
      FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w("runId", key, i)
      LEFT JOIN "Run" run ON run.id = w."runId"
      LEFT JOIN "MetricKey" k ON k."runId" = w."runId" AND k.key = w.key
      LEFT JOIN LATERAL (
        SELECT min("firstStep") AS first, max("lastStep") AS last,
          (extract(epoch from min("firstTs")) * 1000)::float8 AS "firstTs", (extract(epoch from max("lastTs")) * 1000)::float8 AS "lastTs"
        FROM "MetricRollup" WHERE "keyId" = k.id AND level = $3) e ON k.id IS NOT NULL
      ORDER BY w.i`,
    values: [wanted.map((w) => w.runId), wanted.map((w) => w.key), TOP_LEVEL],
    rowMode: "array",
  });
  return r.rows.map((v) => ({
    runFound: v[1] as boolean,
    extent: v[2] === null || v[3] === null ? null : ({ keyId: Number(v[2]), first: BigInt(v[3]), last: BigInt(v[4]), firstTs: Number(v[5]), lastTs: Number(v[6]) } as Extent),
  }));
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

/** Steps whose every value is exact in a float8: they can then travel packed (readColumns). */
const SAFE_STEP = 2n ** 53n;

const ms = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;
const f8 = (sql: string) => `float8send(coalesce((${sql})::float8, 'NaN'))`;
/** An edge point packed as a one-point bucket, field for field as the generated "packed" and "packedTimes" columns
 * pack a rollup row (migration 20261204000000_rollup_packed). */
const EDGE_PACKED = [
  "1", "CASE WHEN p.f THEN p.value END", "CASE WHEN p.f THEN p.step END", "CASE WHEN p.f THEN p.value END", "CASE WHEN p.f THEN p.step END",
  "p.step", "p.value", "p.step", "p.value", "(p.value = 'NaN')::int", "(p.value = 'Infinity')::int", "(p.value = '-Infinity')::int",
].map(f8).join(" || ");
const EDGE_TIMES = [`CASE WHEN p.f THEN ${ms("p.ts")} END`, `CASE WHEN p.f THEN ${ms("p.ts")} END`, ms("p.ts"), ms("p.ts")].map(f8).join(" || ");
const PACKED_SQL = (withTime: boolean) => `WITH s AS (
      SELECT r.packed${withTime ? ` || r."packedTimes"` : ""} AS b
      FROM unnest($2::int2[], $3::int8[], $4::int8[]) AS t(lv, lo, hi)
      JOIN "MetricRollup" r ON r."keyId" = $1 AND r.level = t.lv AND r.bucket BETWEEN t.lo AND t.hi
      UNION ALL
      SELECT ${EDGE_PACKED}${withTime ? ` || ${EDGE_TIMES}` : ""}
      FROM unnest($5::int8[], $6::int8[]) AS e(a, b)
      JOIN LATERAL (SELECT q.step, q.value, q.ts, q.value NOT IN ('NaN', 'Infinity', '-Infinity') AS f
        FROM "MetricPoint" q WHERE q."keyId" = $1 AND q.step BETWEEN e.a AND e.b LIMIT 8) p ON true
    )
    SELECT encode(string_agg(b, ''::bytea), 'base64') FROM s`;

/** The buckets and edge points of a read, merged into pixel columns here (packed-columns.ts). They cross the wire
 * as big-endian float8s packed into one base64 text: formatting ~2,000 rows × 12 numbers as decimal text was most of the
 * database's time and parsing them most of ours, and merging buckets into columns in SQL (arrays per row) cost more
 * than doing it here. A 1M-point series at 1,000 px: 4.7 ms of SQL and 6.8 ms in all as merged decimal rows; 1.7 ms
 * and 4.8 ms packed (hex, twice base64's size, took 5.9). Packing the buckets was then 1.8 of the SQL's 2.9 ms, so each
 * rollup row keeps its packed bytes (generated columns, written once with the row): 1.1 ms. Edge points are packed
 * here, the same way. An edge range is shorter than a level-1 bucket (8 steps),
 * and saying so (LIMIT 8) matters: without it the planner guessed ~100k edge rows and chose a parallel plan whose
 * worker start-up was most of a read's 12 ms. Only for steps within ±2^53, which a float8 holds exactly. */
export async function readColumns(c: pg.Pool | pg.PoolClient, keyId: number, plan: ReadPlan, from: bigint, to: bigint, width: number, withTime: boolean): Promise<Column[]> {
  const r = await c.query({
    name: withTime ? "read-columns-time" : "read-columns",
    text: PACKED_SQL(withTime),
    values: [
      keyId,
      plan.segments.map((s) => s.level),
      plan.segments.map((s) => s.firstBucket.toString()),
      plan.segments.map((s) => s.lastBucket.toString()),
      plan.raw.map(([a]) => a.toString()),
      plan.raw.map(([, b]) => b.toString()),
    ],
    rowMode: "array",
  });
  return r.rows[0][0] === null ? [] : packedColumns(Buffer.from(r.rows[0][0] as string, "base64"), withTime, from, to, width);
}

/** Columns from buckets and edge points merged here: for any int64 steps. */
export async function readColumnsExact(c: pg.Pool | pg.PoolClient, keyId: number, plan: ReadPlan, from: bigint, to: bigint, width: number, withTime: boolean): Promise<Column[]> {
  const [buckets, ...raws] = await Promise.all([readBuckets(c, keyId, plan.segments, withTime), ...plan.raw.map(([a, b]) => rawPoints(c, keyId, a, b))]);
  return toColumns([...buckets, ...raws.flat().map((p) => pointStat(p.step, p.value, p.ts))], from, to, width);
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

/** One series at `q.width` pixels, given its extent from locateSeries (null: no points). */
export async function readSeries(c: pg.Pool | pg.PoolClient, ext: Extent | null, q: { x: XMode; from?: number; to?: number; width: number }) {
  const empty = { extent: null, rawPoints: 0, pointsPerPixel: 0, exact: true, ...shapeSeries([], [], q.x, 0) };
  if (!ext) return empty;
  const keyId = ext.keyId;
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
  const safe = from > -SAFE_STEP && to < SAFE_STEP;
  const columns = await (safe ? readColumns : readColumnsExact)(c, keyId, plan, from, to, q.width, q.x !== "step");
  const rawCount = columns.reduce((n, s) => n + s.count, 0);
  return { extent: xExtent, rawPoints: rawCount, pointsPerPixel: rawCount / q.width, exact: false, ...shapeSeries(columns, null, q.x, origin) };
}
