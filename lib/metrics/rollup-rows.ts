// Reading and writing MetricRollup rows as Stat values.
import type pg from "pg";
import type { Stat } from "./bucket";

export type RollupKey = { keyId: number; level: number; bucket: bigint };

type Row = Record<string, string | number | Date | null>;
const ms = (d: unknown) => (d === null ? null : (d as Date).getTime());
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

export async function fetchRollups(c: pg.PoolClient | pg.Pool, keys: RollupKey[]) {
  const out = new Map<string, Stat>();
  if (!keys.length) return out;
  const res = await c.query(
    `SELECT r.* FROM unnest($1::int[], $2::int2[], $3::int8[]) AS t(k, l, b)
     JOIN "MetricRollup" r ON r."keyId" = t.k AND r."level" = t.l AND r."bucket" = t.b`,
    [keys.map((k) => k.keyId), keys.map((k) => k.level), keys.map((k) => k.bucket.toString())],
  );
  for (const r of res.rows) out.set(`${r.keyId}:${r.level}:${r.bucket}`, rowToStat(r));
  return out;
}

export const rollupId = (k: RollupKey) => `${k.keyId}:${k.level}:${k.bucket}`;
