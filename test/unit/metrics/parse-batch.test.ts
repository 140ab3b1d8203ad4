import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../lib/errors";
import { parseBatch } from "../../../lib/metrics/parse-batch";
import { MAX_INFLATED, readBatchText } from "../../../lib/metrics/read-batch";

const json = (o: unknown) => JSON.stringify(o);
const fail = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error("expected an error");
};
const request = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://x/", { method: "POST", body, headers });

describe("metric batch parsing", () => {
  it("reads JSON, NDJSON and gzip alike, with NaN and ±Infinity as strings", async () => {
    const pts = [
      { key: "loss", step: 1, value: 0.5, ts: 1700000000.25 },
      { key: "loss", step: 2, value: "NaN" },
      { key: "loss", step: 3, value: "Infinity" },
      { key: "loss", step: "9223372036854775807", value: "-Infinity" },
    ];
    const a = await parseBatch(json({ points: pts, epoch: 3 }), "application/json");
    const b = await parseBatch(pts.map((p) => JSON.stringify(p)).join("\n"), "application/x-ndjson");
    const c = await parseBatch(await readBatchText(request(gzipSync(json({ points: pts })), { "content-encoding": "gzip" }), 1 << 20), "application/json");
    for (const r of [a, b, c]) {
      expect(r.points.map((p) => p.value)).toEqual([0.5, NaN, Infinity, -Infinity]);
      expect(r.points[3].step).toBe(9223372036854775807n);
      expect(r.points[0].ts).toBe(1700000000250);
    }
    expect(a.epoch).toBe(3);
  });

  it("names the index and field of every bad point", async () => {
    const e = await fail(
      parseBatch(json({ points: [{ key: "ok", step: 1, value: 1 }, { key: "ok", step: 1.5, value: 1 }, { key: "a\u0007b", step: 2, value: "x" }, { key: "k".repeat(257), step: 3, value: 1, extra: 1 }] }), "application/json"),
    );
    expect(e.status).toBe(400);
    const fields = e.errors!.map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining(["points[1].step", "points[2].key", "points[2].value", "points[3].key", "points[3].extra"]));
    expect(fields).not.toContain("points[0].step");
  });

  it("refuses steps outside int64 and unsafe JSON integers", async () => {
    const e = await fail(parseBatch(json({ points: [{ key: "a", step: "9223372036854775808", value: 1 }, { key: "a", step: 2 ** 60, value: 1 }] }), "application/json"));
    expect(e.errors!.map((x) => x.field)).toEqual(["points[0].step", "points[1].step"]);
  });

  it("refuses more than 10,000 points with 413, in either format", async () => {
    const points = Array.from({ length: 10_001 }, (_, i) => ({ key: "a", step: i, value: 1 }));
    expect((await fail(parseBatch(json({ points }), "application/json"))).status).toBe(413);
    expect((await fail(parseBatch(points.map((p) => json(p)).join("\n"), "application/x-ndjson"))).status).toBe(413);
  });

  it("keeps 10,000 points whose keys are full of commas and braces", async () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ key: `loss{split="val",fold=${i % 5}}`, step: i, value: 1 }));
    expect((await parseBatch(json({ points }), "application/json")).points).toHaveLength(10_000);
  });

  it("refuses bodies built to be expensive before parsing them", async () => {
    // 8 MiB of empty objects, numbers or nesting: cheap to send, slow for JSON.parse; refused by counting.
    for (const body of [`{"points":[${"{},".repeat(2_000_000)}{}]}`, `{"points":[${"1,".repeat(4_000_000)}1]}`, "[".repeat(8_000_000)]) {
      const e = await fail(parseBatch(body, "application/json"));
      expect(e.status).toBe(413);
      expect(e.errors![0].field).toBe("points");
    }
    // 4 M lines of "1": refused at the first line, which is not an object.
    const e = await fail(parseBatch("1\n".repeat(4_000_000), "application/x-ndjson"));
    expect(e.errors![0]).toEqual({ field: "points[0]", message: "line 1 is not a JSON object of at most 4096 characters" });
    // Blank lines cost nothing and count for nothing.
    const blanks = await parseBatch(`${"\n".repeat(1_000_000)}{"key":"a","step":1,"value":2}\n`, "application/x-ndjson");
    expect(blanks.points).toHaveLength(1);
  });

  it("refuses a gzip bomb as soon as it inflates past the limit, and corrupt gzip", async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(100_000);
    expect((await fail(readBatchText(request(bomb, { "content-encoding": "gzip" }), 1 << 20))).status).toBe(413);
    expect((await fail(readBatchText(request("not gzip", { "content-encoding": "gzip" }), 1 << 20))).errors![0].field).toBe("body");
    expect((await fail(readBatchText(request("x".repeat(2000)), 1000))).status).toBe(413);
    expect((await fail(readBatchText(request("x", { "content-encoding": "br" }), 1000))).errors![0].field).toBe("content-encoding");
    expect(MAX_INFLATED).toBe(8 * 1024 * 1024);
  });

  it("names a broken NDJSON line by its number", async () => {
    const e = await fail(parseBatch('{"key":"a","step":1,"value":1}\n\n{oops\n', "application/x-ndjson"));
    expect(e.errors![0]).toEqual({ field: "points[1]", message: "line 3 is not JSON" });
  });
});
