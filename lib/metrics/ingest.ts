// Writes a validated batch: raw points idempotently on (series, step), and the rollups of every bucket the
// batch touched, in the caller's transaction. New points are merged into existing bucket summaries; buckets
// where a point changed value are recomputed (from raw points at level 1, from their children above).
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { encodePoints } from "./copy-binary";
import { appendPoint, bucketOf, LEVELS, merge, mergeAll, mergeInto, pointStat, type Stat } from "./bucket";
import type { Point } from "./parse-batch";
import { copyNewRollups, fetchRollups, ROLLUP_COLUMNS, rollupId, rowToStat, upsertRollups, type RollupKey } from "./rollup-rows";

export type IngestCounts = { accepted: number; inserted: number; updated: number; unchanged: number };

/** Metric keys of a run, created on first use. */
async function keyIds(c: pg.PoolClient, runId: string, keys: string[]) {
  await c.query(`INSERT INTO "MetricKey" ("runId", "key") SELECT $1, k FROM unnest($2::text[]) k ON CONFLICT DO NOTHING`, [runId, keys]);
  const res = await c.query<{ id: number; key: string }>(`SELECT id, key FROM "MetricKey" WHERE "runId" = $1 AND key = ANY($2::text[])`, [runId, keys]);
  return new Map(res.rows.map((r) => [r.key, r.id]));
}

type Resolved = { keyId: number; step: bigint; value: number; ts: number };

const byStep = (a: Resolved, b: Resolved) => a.keyId - b.keyId || (a.step < b.step ? -1 : a.step > b.step ? 1 : 0);

/** Rows in (series, step) order, one per step: later points win within a batch, as they would across batches
 * (the sort is stable, so the last of equal steps is the one sent last). */
function dedupe(points: Point[], ids: Map<string, number>): Resolved[] {
  const rows: Resolved[] = points.map((p) => ({ keyId: ids.get(p.key)!, step: p.step, value: p.value, ts: p.ts }));
  rows.sort(byStep);
  const out: Resolved[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i + 1 < rows.length && rows[i + 1].keyId === rows[i].keyId && rows[i + 1].step === rows[i].step) continue;
    out.push(rows[i]);
  }
  return out;
}

/** True when none of the batch's steps exist yet (the usual case: a run appending), checked per series range. */
async function allNew(c: pg.PoolClient, rows: Resolved[]) {
  const ranges = new Map<number, [bigint, bigint]>();
  for (const r of rows) {
    const g = ranges.get(r.keyId);
    if (!g) ranges.set(r.keyId, [r.step, r.step]);
    else {
      if (r.step < g[0]) g[0] = r.step;
      if (r.step > g[1]) g[1] = r.step;
    }
  }
  const keys = [...ranges.keys()];
  const res = await c.query(
    `SELECT EXISTS (SELECT 1 FROM unnest($1::int[], $2::int8[], $3::int8[]) AS t(k, lo, hi)
       JOIN LATERAL (SELECT 1 FROM "MetricPoint" p WHERE p."keyId" = t.k AND p.step BETWEEN t.lo AND t.hi LIMIT 1) x ON true) AS hit`,
    [keys, keys.map((k) => ranges.get(k)![0].toString()), keys.map((k) => ranges.get(k)![1].toString())],
  );
  return !res.rows[0].hit;
}

/** COPY is 2–3× faster than INSERT … ON CONFLICT; safe only when no row can conflict (checked under the lock). */
async function copyRaw(c: pg.PoolClient, rows: Resolved[]) {
  await pipeline(Readable.from([encodePoints(rows)]), c.query(copyFrom(`COPY "MetricPoint" ("keyId", step, value, ts) FROM STDIN (FORMAT binary)`)));
}

async function writeRaw(c: pg.PoolClient, rows: Resolved[]): Promise<"all-new" | { keyId: number; step: string; inserted: boolean }[]> {
  if (await allNew(c, rows)) {
    await copyRaw(c, rows);
    return "all-new";
  }
  const res = await c.query<{ keyId: number; step: string; inserted: boolean }>(
    `INSERT INTO "MetricPoint" ("keyId", "step", "value", "ts")
     SELECT k, s, v, to_timestamp(t / 1000.0) FROM unnest($1::int[], $2::int8[], $3::float8[], $4::float8[]) AS u(k, s, v, t)
     ON CONFLICT ("keyId", "step") DO UPDATE SET "value" = EXCLUDED."value", "ts" = EXCLUDED."ts"
       WHERE ("MetricPoint"."value", "MetricPoint"."ts") IS DISTINCT FROM (EXCLUDED."value", EXCLUDED."ts")
     RETURNING "keyId", "step", (xmax = 0) AS inserted`,
    [rows.map((r) => r.keyId), rows.map((r) => r.step.toString()), rows.map((r) => r.value), rows.map((r) => r.ts)],
  );
  return res.rows;
}

async function recomputeLevel1(c: pg.PoolClient, dirty: RollupKey[]) {
  const res = await c.query(
    `SELECT p."keyId", p.step, p.value, p.ts FROM unnest($1::int[], $2::int8[]) AS t(k, b)
     JOIN "MetricPoint" p ON p."keyId" = t.k AND p.step BETWEEN t.b * 8 AND t.b * 8 + 7 ORDER BY p."keyId", p.step`,
    [dirty.map((d) => d.keyId), dirty.map((d) => d.bucket.toString())],
  );
  const stats = new Map<string, Stat>();
  for (const r of res.rows) {
    const k = rollupId({ keyId: r.keyId, level: 1, bucket: bucketOf(BigInt(r.step), 1) });
    const s = pointStat(BigInt(r.step), Number(r.value), (r.ts as Date).getTime());
    stats.set(k, stats.has(k) ? merge(stats.get(k)!, s) : s);
  }
  return dirty.map((d) => ({ ...d, stat: stats.get(rollupId(d))! })).filter((d) => d.stat);
}

async function recomputeFromChildren(c: pg.PoolClient, level: number, dirty: RollupKey[]) {
  const res = await c.query(
    `SELECT ${ROLLUP_COLUMNS} FROM unnest($1::int[], $2::int8[]) AS t(k, b)
     JOIN "MetricRollup" r ON r."keyId" = t.k AND r.level = $3 AND r.bucket BETWEEN t.b * 8 AND t.b * 8 + 7`,
    [dirty.map((d) => d.keyId), dirty.map((d) => d.bucket.toString()), level - 1],
  );
  const children = new Map<string, Stat[]>();
  for (const r of res.rows) {
    const k = rollupId({ keyId: r.keyId, level, bucket: BigInt(r.bucket) >> 3n });
    (children.get(k) ?? children.set(k, []).get(k)!).push(rowToStat(r));
  }
  return dirty.map((d) => ({ ...d, stat: mergeAll(children.get(rollupId(d)) ?? [])! })).filter((d) => d.stat);
}

export async function ingestPoints(c: pg.PoolClient, runId: string, points: Point[]): Promise<IngestCounts> {
  if (!points.length) return { accepted: 0, inserted: 0, updated: 0, unchanged: 0 };
  const ids = await keyIds(c, runId, [...new Set(points.map((p) => p.key))]);
  // One writer per series at a time: the rollup merge reads, then writes.
  await c.query("SELECT pg_advisory_xact_lock(8123, k) FROM unnest($1::int[]) k ORDER BY k", [[...ids.values()]]);
  const rows = dedupe(points, ids);
  const written = await writeRaw(c, rows);
  // The rows that changed, in (series, step) order, so each level-1 bucket's points are adjacent and its
  // summary is built by appending in place (this loop runs for every point of every batch).
  let changed: (Resolved & { inserted: boolean })[];
  if (written === "all-new") changed = rows.map((r) => Object.assign(r, { inserted: true }));
  else {
    const byId = new Map(rows.map((r) => [`${r.keyId}:${r.step}`, r]));
    changed = written.map((w) => ({ ...byId.get(`${w.keyId}:${w.step}`)!, inserted: w.inserted })).sort(byStep);
  }

  // Buckets with a replaced value need a recount; buckets with only new points take a merge. Deltas are
  // built level by level (each from the one below), so the work is ~1.14 merges per point, not one per level.
  const dirty = new Set<string>();
  const deltas = new Map<string, RollupKey & { stat: Stat }>();
  let below = new Map<string, RollupKey & { stat: Stat }>();
  let cur: (RollupKey & { stat: Stat }) | null = null;
  for (const r of changed) {
    const bucket = bucketOf(r.step, 1);
    if (cur && cur.keyId === r.keyId && cur.bucket === bucket) appendPoint(cur.stat, r.step, r.value, r.ts);
    else {
      cur = { keyId: r.keyId, level: 1, bucket, stat: pointStat(r.step, r.value, r.ts) };
      below.set(rollupId(cur), cur);
    }
    if (!r.inserted) dirty.add(rollupId(cur));
  }
  for (const level of LEVELS) {
    for (const [id, d] of below) deltas.set(id, d);
    if (level === LEVELS[LEVELS.length - 1]) break;
    const up = new Map<string, RollupKey & { stat: Stat }>();
    for (const [id, d] of below) {
      const key = { keyId: d.keyId, level: level + 1, bucket: d.bucket >> 3n };
      const upId = rollupId(key);
      if (dirty.has(id)) dirty.add(upId);
      const u = up.get(upId);
      if (u) mergeInto(u.stat, d.stat);
      else up.set(upId, { ...key, stat: { ...d.stat } });
    }
    below = up;
  }
  const clean = [...deltas.values()].filter((d) => !dirty.has(rollupId(d)));
  const existing = await fetchRollups(c, clean);
  const grown = clean.filter((d) => existing.has(rollupId(d)));
  await upsertRollups(c, grown.map((d) => ({ ...d, stat: merge(existing.get(rollupId(d))!, d.stat) })));
  await copyNewRollups(c, clean.filter((d) => !existing.has(rollupId(d))));
  for (const level of LEVELS) {
    const atLevel = [...deltas.values()].filter((d) => d.level === level && dirty.has(rollupId(d)));
    if (!atLevel.length) continue;
    await upsertRollups(c, level === 1 ? await recomputeLevel1(c, atLevel) : await recomputeFromChildren(c, level, atLevel));
  }
  const inserted = changed.filter((r) => r.inserted).length;
  return { accepted: rows.length, inserted, updated: changed.length - inserted, unchanged: rows.length - changed.length };
}
