// Reading and writing MetricRollup rows as Stat values.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { encodeRows, type Field } from "./copy-binary";
import type { Stat } from "./bucket";

export type RollupKey = { keyId: number; level: number; bucket: bigint };

type Row = Record<string, string | number | Date | null>;
// Timestamps arrive as epoch milliseconds (see ROLLUP_COLUMNS) or as Dates; parsing thousands of Dates per read
// showed up in profiles.
const ms = (d: unknown) => (d === null ? null : d instanceof Date ? d.getTime() : Number(d));
const big = (v: unknown) => (v === null ? null : BigInt(v as string));

export function rowToStat(r: Row): Stat {
  return {
    count: Number(r.count),
    sum: Number(r.sum),
    min: r.min === null ? null : Number(r.min),
    minStep: big(r.minStep),
    minTs: ms(r.minTs),
    max: r.max === null ? null : Number(r.max),
    maxStep: big(r.maxStep),
    maxTs: ms(r.maxTs),
    firstStep: BigInt(r.firstStep as string),
    firstValue: Number(r.firstValue),
    firstTs: ms(r.firstTs)!,
    lastStep: BigInt(r.lastStep as string),
    lastValue: Number(r.lastValue),
    lastTs: ms(r.lastTs)!,
    nanCount: Number(r.nanCount),
    posInfCount: Number(r.posInfCount),
    negInfCount: Number(r.negInfCount),
  };
}

const tsOrNull = (v: number | null) => (v === null ? null : new Date(v).toISOString());

const msOf = (c: string) => `(extract(epoch from r."${c}") * 1000)::float8 AS "${c}"`;

/** The rollup columns with timestamps as epoch milliseconds, for reads of many rows. */
export const ROLLUP_COLUMNS = [
  `r."keyId"`, "r.level", "r.bucket", "r.count", "r.sum", "r.min", `r."minStep"`, msOf("minTs"), "r.max", `r."maxStep"`, msOf("maxTs"),
  `r."firstStep"`, `r."firstValue"`, msOf("firstTs"), `r."lastStep"`, `r."lastValue"`, msOf("lastTs"), `r."nanCount"`, `r."posInfCount"`, `r."negInfCount"`,
].join(", ");

export async function upsertRollups(c: pg.PoolClient, rows: (RollupKey & { stat: Stat })[]) {
  if (!rows.length) return;
  const col = <T>(f: (r: RollupKey & { stat: Stat }) => T) => rows.map(f);
  await c.query(
    `INSERT INTO "MetricRollup" ("keyId","level","bucket","count","sum","min","minStep","minTs","max","maxStep","maxTs",
       "firstStep","firstValue","firstTs","lastStep","lastValue","lastTs","nanCount","posInfCount","negInfCount")
     SELECT * FROM unnest($1::int[], $2::int2[], $3::int8[], $4::int[], $5::float8[], $6::float8[], $7::int8[], $8::timestamptz[],
       $9::float8[], $10::int8[], $11::timestamptz[], $12::int8[], $13::float8[], $14::timestamptz[], $15::int8[], $16::float8[],
       $17::timestamptz[], $18::int[], $19::int[], $20::int[])
     ON CONFLICT ("keyId","level","bucket") DO UPDATE SET
       "count"=EXCLUDED."count","sum"=EXCLUDED."sum","min"=EXCLUDED."min","minStep"=EXCLUDED."minStep","minTs"=EXCLUDED."minTs",
       "max"=EXCLUDED."max","maxStep"=EXCLUDED."maxStep","maxTs"=EXCLUDED."maxTs","firstStep"=EXCLUDED."firstStep",
       "firstValue"=EXCLUDED."firstValue","firstTs"=EXCLUDED."firstTs","lastStep"=EXCLUDED."lastStep","lastValue"=EXCLUDED."lastValue",
       "lastTs"=EXCLUDED."lastTs","nanCount"=EXCLUDED."nanCount","posInfCount"=EXCLUDED."posInfCount","negInfCount"=EXCLUDED."negInfCount"`,
    [
      col((r) => r.keyId),
      col((r) => r.level),
      col((r) => r.bucket.toString()),
      col((r) => r.stat.count),
      col((r) => r.stat.sum),
      col((r) => r.stat.min),
      col((r) => r.stat.minStep?.toString() ?? null),
      col((r) => tsOrNull(r.stat.minTs)),
      col((r) => r.stat.max),
      col((r) => r.stat.maxStep?.toString() ?? null),
      col((r) => tsOrNull(r.stat.maxTs)),
      col((r) => r.stat.firstStep.toString()),
      col((r) => r.stat.firstValue),
      col((r) => new Date(r.stat.firstTs).toISOString()),
      col((r) => r.stat.lastStep.toString()),
      col((r) => r.stat.lastValue),
      col((r) => new Date(r.stat.lastTs).toISOString()),
      col((r) => r.stat.nanCount),
      col((r) => r.stat.posInfCount),
      col((r) => r.stat.negInfCount),
    ],
  );
}

const f8 = (v: number | null): Field => (v === null ? null : { float8: v });
const i8 = (v: bigint | null): Field => (v === null ? null : { int8: v });
const ts = (v: number | null): Field => (v === null ? null : { timestamptz: v });

/** Rows known not to exist yet (the caller holds the series lock) go in with a binary COPY, several times
 * faster than an upsert. */
export async function copyNewRollups(c: pg.PoolClient, rows: (RollupKey & { stat: Stat })[]) {
  if (!rows.length) return;
  const data = encodeRows(
    rows.map(({ keyId, level, bucket, stat: s }) => [
      { int4: keyId }, { int2: level }, { int8: bucket }, { int4: s.count }, f8(s.sum), f8(s.min), i8(s.minStep), ts(s.minTs), f8(s.max), i8(s.maxStep), ts(s.maxTs),
      i8(s.firstStep), f8(s.firstValue), ts(s.firstTs), i8(s.lastStep), f8(s.lastValue), ts(s.lastTs), { int4: s.nanCount }, { int4: s.posInfCount }, { int4: s.negInfCount },
    ]),
  );
  await pipeline(
    Readable.from([data]),
    c.query(copyFrom(`COPY "MetricRollup" ("keyId","level","bucket","count","sum","min","minStep","minTs","max","maxStep","maxTs","firstStep","firstValue","firstTs","lastStep","lastValue","lastTs","nanCount","posInfCount","negInfCount") FROM STDIN (FORMAT binary)`)),
  );
}

/** Existing rows among `keys`, read as one range scan per (series, level) rather than one probe per bucket. */
export async function fetchRollups(c: pg.PoolClient | pg.Pool, keys: RollupKey[]) {
  const out = new Map<string, Stat>();
  if (!keys.length) return out;
  const ranges = new Map<string, { keyId: number; level: number; lo: bigint; hi: bigint }>();
  for (const k of keys) {
    const id = `${k.keyId}:${k.level}`;
    const r = ranges.get(id);
    if (!r) ranges.set(id, { keyId: k.keyId, level: k.level, lo: k.bucket, hi: k.bucket });
    else {
      if (k.bucket < r.lo) r.lo = k.bucket;
      if (k.bucket > r.hi) r.hi = k.bucket;
    }
  }
  const rs = [...ranges.values()];
  const res = await c.query(
    `SELECT ${ROLLUP_COLUMNS} FROM unnest($1::int[], $2::int2[], $3::int8[], $4::int8[]) AS t(k, l, lo, hi)
     JOIN "MetricRollup" r ON r."keyId" = t.k AND r."level" = t.l AND r."bucket" BETWEEN t.lo AND t.hi`,
    [rs.map((r) => r.keyId), rs.map((r) => r.level), rs.map((r) => r.lo.toString()), rs.map((r) => r.hi.toString())],
  );
  const wanted = new Set(keys.map(rollupId));
  for (const r of res.rows) {
    const id = `${r.keyId}:${r.level}:${r.bucket}`;
    if (wanted.has(id)) out.set(id, rowToStat(r));
  }
  return out;
}

export const rollupId = (k: RollupKey) => `${k.keyId}:${k.level}:${k.bucket}`;
