import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../lib/errors";
import { parseBatch } from "../../../lib/metrics/parse-batch";

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const fail = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error("expected an error");
};

describe("metric batch parsing", () => {
  it("reads JSON, NDJSON and gzip alike, with NaN and ±Infinity as strings", () => {
    const pts = [
      { key: "loss", step: 1, value: 0.5, ts: 1700000000.25 },
      { key: "loss", step: 2, value: "NaN" },
      { key: "loss", step: 3, value: "Infinity" },
      { key: "loss", step: "9223372036854775807", value: "-Infinity" },
    ];
    const a = parseBatch(json({ points: pts, epoch: 3 }), "application/json", null);
    const b = parseBatch(Buffer.from(pts.map((p) => JSON.stringify(p)).join("\n")), "application/x-ndjson", null);
    const c = parseBatch(gzipSync(json({ points: pts })), "application/json", "gzip");
    for (const r of [a, b, c]) {
      expect(r.points.map((p) => p.value)).toEqual([0.5, NaN, Infinity, -Infinity]);
      expect(r.points[3].step).toBe(9223372036854775807n);
      expect(r.points[0].ts).toBe(1700000000250);
    }
    expect(a.epoch).toBe(3);
  });

  it("names the index and field of every bad point", () => {
    const e = fail(() =>
      parseBatch(json({ points: [{ key: "ok", step: 1, value: 1 }, { key: "ok", step: 1.5, value: 1 }, { key: "a\u0007b", step: 2, value: "x" }, { key: "k".repeat(257), step: 3, value: 1, extra: 1 }] }), "application/json", null),
    );
    expect(e.status).toBe(400);
    const fields = e.errors!.map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining(["points[1].step", "points[2].key", "points[2].value", "points[3].key", "points[3].extra"]));
    expect(fields).not.toContain("points[0].step");
  });

  it("refuses steps outside int64 and unsafe JSON integers", () => {
    const e = fail(() => parseBatch(json({ points: [{ key: "a", step: "9223372036854775808", value: 1 }, { key: "a", step: 2 ** 60, value: 1 }] }), "application/json", null));
    expect(e.errors!.map((x) => x.field)).toEqual(["points[0].step", "points[1].step"]);
  });

  it("refuses more than 10,000 points with 413", () => {
    const points = Array.from({ length: 10_001 }, (_, i) => ({ key: "a", step: i, value: 1 }));
    expect(fail(() => parseBatch(json({ points }), "application/json", null)).status).toBe(413);
  });

  it("refuses a gzip bomb and corrupt gzip", () => {
    expect(fail(() => parseBatch(gzipSync(Buffer.alloc(40 * 1024 * 1024, 32)), "application/json", "gzip")).status).toBe(413);
    expect(fail(() => parseBatch(Buffer.from("not gzip"), "application/json", "gzip")).errors![0].field).toBe("body");
  });

  it("names a broken NDJSON line", () => {
    const e = fail(() => parseBatch(Buffer.from('{"key":"a","step":1,"value":1}\n{oops\n'), "application/x-ndjson", null));
    expect(e.errors![0]).toEqual({ field: "points[1]", message: "line 2 is not JSON" });
  });
});
