// The ingest endpoint as Next calls it: body formats, limits and all-or-nothing batches.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { GET, POST } from "../../app/api/v1/runs/[id]/metrics/route";
import { db } from "../../lib/db/client";
import { createToken } from "../../lib/services/tokens/create-token";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";

async function setup() {
  const u = await makeUser("RESEARCHER");
  const run = await makeRun(u.ctx);
  const token = (await createToken(u.ctx, { name: "ingest", scopes: ["read", "runs:write"] })).secret;
  const call = (body: BodyInit, headers: Record<string, string> = {}) =>
    POST(new Request(`http://localhost/api/v1/runs/${run.id}/metrics`, { method: "POST", body, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers } }), { params: Promise.resolve({ id: run.id }) });
  return { run, token, call };
}

const points = (n: number) => Array.from({ length: n }, (_, i) => ({ key: "loss", step: i, value: 1 / (i + 1) }));

describe("POST /runs/{id}/metrics", () => {
  it("one bad point among 10,000 → 400 naming it, and nothing is written", async () => {
    const { run, call } = await setup();
    const batch = points(10_000);
    (batch[9_999] as { value: unknown }).value = "lots";
    const res = await call(JSON.stringify({ points: batch }));
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([{ field: "points[9999].value", message: 'expected a number, or "NaN", "Infinity", "-Infinity"' }]);
    expect(await db.metricKey.count({ where: { runId: run.id } })).toBe(0);
  });

  it("accepts gzip NDJSON and answers what was inserted", async () => {
    const { call } = await setup();
    const body = gzipSync(points(500).map((p) => JSON.stringify(p)).join("\n"));
    const res = await call(body, { "content-type": "application/x-ndjson", "content-encoding": "gzip" });
    expect(await res.json()).toEqual({ accepted: 500, inserted: 500, updated: 0, unchanged: 0 });
  });

  it("a read-only token cannot write, someone else's run is 403, an unknown run is 404 — before the body is read", async () => {
    const u = await makeUser("RESEARCHER");
    const run = await makeRun(u.ctx);
    const other = await makeUser("RESEARCHER");
    const ro = (await createToken(u.ctx, { name: "ro", scopes: ["read"] })).secret;
    const rw = (await createToken(other.ctx, { name: "rw", scopes: ["runs:write"] })).secret;
    // A body that would take seconds to inflate and parse: refusals must not depend on it.
    const bomb = gzipSync("1\n".repeat(16_000_000));
    let pulled = 0;
    const req = (id: string, token: string) =>
      new Request(`http://localhost/api/v1/runs/${id}/metrics`, {
        method: "POST",
        body: new ReadableStream({ pull: (c) => { pulled++; c.enqueue(bomb); c.close(); } }, { highWaterMark: 0 }),
        duplex: "half",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson", "content-encoding": "gzip" },
      } as RequestInit);
    expect((await POST(req(run.id, ro), { params: Promise.resolve({ id: run.id }) })).status).toBe(403);
    expect((await POST(req(run.id, rw), { params: Promise.resolve({ id: run.id }) })).status).toBe(403);
    expect((await POST(req("nosuchrun", rw), { params: Promise.resolve({ id: "nosuchrun" }) })).status).toBe(404);
    expect(pulled).toBe(0);
    // The owner's own bomb is refused once 8 MiB have inflated, not after 32 MB.
    const own = (await createToken(u.ctx, { name: "own", scopes: ["runs:write"] })).secret;
    const res = await POST(req(run.id, own), { params: Promise.resolve({ id: run.id }) });
    expect(res.status).toBe(413);
    expect(pulled).toBe(1);
  });

  it("reads back through GET with the downsampling fields", async () => {
    const { run, token, call } = await setup();
    await call(JSON.stringify({ points: points(100) }));
    const res = await GET(new Request(`http://localhost/api/v1/runs/${run.id}/metrics?key=loss&width=10`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: run.id }) });
    const s = await res.json();
    expect(s).toMatchObject({ key: "loss", rawPoints: 100, exact: false, pointsPerPixel: 10 });
    expect(s.band.max[0]).toBe(1);
  });
});
