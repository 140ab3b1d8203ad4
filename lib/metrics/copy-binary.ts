// PostgreSQL's binary COPY format: no number or timestamp ever becomes text on either side, which made the
// raw-point COPY the cheapest step of ingest rather than the most expensive one.
export type Field = { int2: number } | { int4: number } | { int8: bigint } | { float8: number } | { timestamptz: number } | null;

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01T00:00:00Z
const SIZE = { int2: 2, int4: 4, int8: 8, float8: 8, timestamptz: 8 } as const;

const HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);

export function encodeRows(rows: Field[][]): Buffer {
  let size = HEADER.length + 2;
  for (const row of rows) {
    size += 2;
    for (const f of row) size += 4 + (f === null ? 0 : SIZE[Object.keys(f)[0] as keyof typeof SIZE]);
  }
  const buf = Buffer.allocUnsafe(size);
  HEADER.copy(buf, 0);
  let o = HEADER.length;
  for (const row of rows) {
    o = buf.writeInt16BE(row.length, o);
    for (const f of row) {
      if (f === null) o = buf.writeInt32BE(-1, o);
      else if ("int2" in f) o = buf.writeInt16BE(f.int2, buf.writeInt32BE(2, o));
      else if ("int4" in f) o = buf.writeInt32BE(f.int4, buf.writeInt32BE(4, o));
      else if ("int8" in f) o = buf.writeBigInt64BE(f.int8, buf.writeInt32BE(8, o));
      else if ("float8" in f) o = buf.writeDoubleBE(f.float8, buf.writeInt32BE(8, o));
      else o = buf.writeBigInt64BE(BigInt(Math.round((f.timestamptz - PG_EPOCH_MS) * 1000)), buf.writeInt32BE(8, o));
    }
  }
  buf.writeInt16BE(-1, o);
  return buf;
}

/** The raw-point layout (keyId int4, step int8, value float8, ts timestamptz) without per-field objects. */
export function encodePoints(rows: { keyId: number; step: bigint; value: number; ts: number }[]): Buffer {
  const buf = Buffer.allocUnsafe(HEADER.length + 2 + rows.length * 46);
  HEADER.copy(buf, 0);
  let o = HEADER.length;
  for (const r of rows) {
    o = buf.writeInt16BE(4, o);
    o = buf.writeInt32BE(r.keyId, buf.writeInt32BE(4, o));
    o = buf.writeBigInt64BE(r.step, buf.writeInt32BE(8, o));
    o = buf.writeDoubleBE(r.value, buf.writeInt32BE(8, o));
    o = buf.writeBigInt64BE(BigInt(Math.round((r.ts - PG_EPOCH_MS) * 1000)), buf.writeInt32BE(8, o));
  }
  buf.writeInt16BE(-1, o);
  return buf;
}
