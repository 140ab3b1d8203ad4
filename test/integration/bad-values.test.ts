// Values that used to reach the database and come back as 500s (the issue's repros), now 400s naming the field.
import { describe, expect, it } from "vitest";
import { GET as auditRoute } from "../../app/api/v1/audit-events/route";
import { POST as logsRoute } from "../../app/api/v1/runs/[id]/logs/route";
import { GET as listRunsRoute } from "../../app/api/v1/runs/route";
import { POST as createTokenRoute } from "../../app/api/v1/tokens/route";
import { db } from "../../lib/db/client";
import { createToken } from "../../lib/services/tokens/create-token";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";

const noParams = { params: Promise.resolve({}) };
const get = (path: string, token: string) => new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } });
const post = (path: string, token: string, body: unknown) =>
  new Request(`http://localhost${path}`, { method: "POST", body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });

async function adminToken() {
  const admin = await makeUser("ADMIN");
  return { admin, token: (await createToken(admin.ctx, { name: "t", scopes: ["admin"] })).secret };
}

describe("bad values: 400 with the field, not 500", () => {
  it("an audit cursor beyond int64", async () => {
    const { token } = await adminToken();
    for (const before of ["99999999999999999999999", "-1", "1e3", "abc"]) {
      const res = await auditRoute(get(`/api/v1/audit-events?before=${before}`, token), noParams);
      expect(res.status, before).toBe(400);
      expect((await res.json()).errors[0].field).toBe("query.before");
    }
    expect((await auditRoute(get("/api/v1/audit-events?before=9223372036854775807", token), noParams)).status).toBe(200);
  });

  it("a runs-list cursor carrying the year −200000", async () => {
    const { token } = await adminToken();
    const cursor = Buffer.from(JSON.stringify({ v: new Date(Date.UTC(-200000, 0, 1)).toISOString(), id: "x" })).toString("base64url");
    const res = await listRunsRoute(get(`/api/v1/runs?cursor=${cursor}`, token), noParams);
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe("query.cursor");
  });

  it("a log chunk holding NUL is kept, with the NUL shown as ␀", async () => {
    const u = await makeUser("RESEARCHER");
    const run = await makeRun(u.ctx);
    const token = (await createToken(u.ctx, { name: "t", scopes: ["runs:write"] })).secret;
    const res = await logsRoute(post(`/api/v1/runs/${run.id}/logs`, token, { chunks: [{ seq: 0, text: "binary\u0000output\n" }] }), { params: Promise.resolve({ id: run.id }) });
    expect(res.status).toBe(200);
    expect((await db.logChunk.findFirstOrThrow({ where: { runId: run.id } })).text).toBe("binary\u2400output\n");
  });

  it("a compare request is bounded by series × width, and repeated series are read once", async () => {
    const { compareMetrics } = await import("../../lib/services/runs/read-metrics");
    const { ZCompareQuery } = await import("../../lib/schemas/metrics");
    const many = ZCompareQuery.safeParse({ series: Array.from({ length: 200 }, () => ({ runId: "r", key: "loss" })).map((s, i) => ({ ...s, key: `k${i}` })), width: 8000 });
    expect(many.success).toBe(false);
    expect(many.error!.issues[0].path).toEqual(["width"]);
    const u = await makeUser("RESEARCHER");
    const run = await makeRun(u.ctx);
    const same = ZCompareQuery.parse({ series: Array.from({ length: 200 }, () => ({ runId: run.id, key: "loss" })), width: 8000 });
    expect((await compareMetrics(u.actor, same)).series).toHaveLength(1);
  });

  it("NUL anywhere else in a body names its field", async () => {
    const u = await makeUser("RESEARCHER");
    const token = (await createToken(u.ctx, { name: "t", scopes: ["tokens", "read"] })).secret;
    const res = await createTokenRoute(post("/api/v1/tokens", token, { name: "a\u0000b", scopes: ["read"] }), noParams);
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ field: "name", message: expect.stringMatching(/NUL/) });
  });
});
