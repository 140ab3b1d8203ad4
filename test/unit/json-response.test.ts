// Large answers are gzipped (Huffman-only for number-heavy series, level 1 otherwise); either way the client must
// get back exactly the JSON that was sent, and small answers or clients that don't take gzip get plain JSON.
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { jsonResponse } from "../../lib/api/json-response";

const req = (encoding?: string) => new Request("http://localhost/api/v1/x", { headers: encoding ? { "accept-encoding": encoding } : {} });
const series = { points: { x: Array.from({ length: 5000 }, (_, i) => i * 7), y: Array.from({ length: 5000 }, (_, i) => Math.sin(i / 50)) } };
const listing = { items: Array.from({ length: 600 }, (_, i) => ({ name: `run number ${i}`, status: "SUCCEEDED", owner: "researcher@example.org" })) };

describe("jsonResponse", () => {
  for (const [name, value] of [["a number-heavy series", series], ["a listing of repeated keys", listing]] as const) {
    it(`gzips ${name} losslessly and smaller`, async () => {
      const res = await jsonResponse(req("gzip, deflate, br"), value, 200);
      expect(res.headers.get("content-encoding")).toBe("gzip");
      const zipped = Buffer.from(await res.arrayBuffer());
      const plain = JSON.stringify(value);
      expect(JSON.parse(gunzipSync(zipped).toString())).toEqual(value);
      expect(zipped.length).toBeLessThan(plain.length * (name.startsWith("a listing") ? 0.2 : 0.6));
    });
  }

  it("sends plain JSON to clients that don't take gzip, and for small bodies", async () => {
    for (const [r, v] of [[req(), series], [req("identity"), series], [req("gzip"), { ok: true }]] as const) {
      const res = await jsonResponse(r, v, 201);
      expect(res.status).toBe(201);
      expect(res.headers.get("content-encoding")).toBeNull();
      expect(await res.json()).toEqual(v);
    }
  });
});
