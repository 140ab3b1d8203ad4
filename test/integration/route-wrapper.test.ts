// Route handlers called as Next calls them (a Request and params), against the real database.
import { describe, expect, it } from "vitest";
import { POST as createTokenRoute, GET as listTokensRoute } from "../../app/api/v1/tokens/route";
import { PATCH as patchUser } from "../../app/api/v1/users/[id]/route";
import { POST as registerRoute } from "../../app/api/v1/register/route";
import { GET as auditRoute } from "../../app/api/v1/audit-events/route";
import { createToken } from "../../lib/services/tokens/create-token";
import { makeUser, uniqueEmail } from "../support/factories";

const noParams = { params: Promise.resolve({}) };

async function tokenFor(role: "ADMIN" | "RESEARCHER" | "CLINICIAN") {
  const u = await makeUser(role);
  return (await createToken(u.ctx, { name: "t", scopes: role === "ADMIN" ? ["admin"] : ["read"] })).secret;
}

function req(method: string, path: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Request(`http://localhost${path}`, {
    method,
    body: init.body,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
  });
}

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|SELECT|prisma/i);
  return body as { status: number; errors?: { field: string; message: string }[] };
}

describe("route wrapper: bad input", () => {
  it("malformed JSON → 400 naming the body", async () => {
    const res = await registerRoute(req("POST", "/api/v1/register", { body: '{"email": ' }), noParams);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.[0].field).toBe("body");
  });

  it("wrong types and unknown fields → 400 naming each field", async () => {
    const res = await registerRoute(req("POST", "/api/v1/register", { body: JSON.stringify({ email: 42, name: "x", password: "long enough pw", isAdmin: true }) }), noParams);
    expect(res.status).toBe(400);
    const fields = (await problem(res)).errors!.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["email", "isAdmin"]));
  });

  it("a body over the route's limit → 413, and nothing is written", async () => {
    const email = uniqueEmail();
    const body = JSON.stringify({ email, name: "x".repeat(20_000), password: "long enough pw" });
    const res = await registerRoute(req("POST", "/api/v1/register", { body }), noParams);
    expect(res.status).toBe(413);
    const { db } = await import("../../lib/db/client");
    expect(await db.user.count({ where: { email } })).toBe(0);
  });

  it("a body without a length header is still cut off at the limit", async () => {
    const big = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(4096)));
        c.close();
      },
    });
    const r = new Request("http://localhost/api/v1/register", { method: "POST", body: big, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
    expect((await registerRoute(r, noParams)).status).toBe(413);
  });

  it("a non-JSON content type → 400 naming content-type", async () => {
    const res = await registerRoute(req("POST", "/api/v1/register", { body: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } }), noParams);
    expect((await problem(res)).errors?.[0].field).toBe("content-type");
  });

  it("bad query and path parameters → 400 naming them", async () => {
    const admin = await tokenFor("ADMIN");
    const q = await auditRoute(req("GET", "/api/v1/audit-events?limit=100000", { token: admin }), noParams);
    expect((await problem(q)).errors?.[0].field).toBe("query.limit");
    const p = await patchUser(req("PATCH", "/api/v1/users/x", { token: admin, body: "{}" }), { params: Promise.resolve({ id: "bad id!" }) });
    expect((await problem(p)).errors?.map((e) => e.field)).toContain("path.id");
  });

  it("checks permission before looking at the body: a clinician gets 403, not 400", async () => {
    const clinician = await tokenFor("CLINICIAN");
    const res = await patchUser(req("PATCH", "/api/v1/users/x", { token: clinician, body: "{not json" }), { params: Promise.resolve({ id: "x" }) });
    expect(res.status).toBe(403);
  });

  it("ignores x-middleware-subrequest: no auth bypass", async () => {
    const res = await listTokensRoute(req("GET", "/api/v1/tokens", { headers: { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" } }), noParams);
    expect(res.status).toBe(401);
  });

  it("refuses a cookie-authenticated write from another origin", async () => {
    const res = await createTokenRoute(req("POST", "/api/v1/tokens", { body: JSON.stringify({ name: "x", scopes: ["read"] }), headers: { origin: "https://evil.example", host: "localhost" } }), noParams);
    expect(res.status).toBe(403);
    const opaque = await createTokenRoute(req("POST", "/api/v1/tokens", { body: JSON.stringify({ name: "x", scopes: ["read"] }), headers: { origin: "null", host: "localhost" } }), noParams);
    expect(opaque.status).toBe(403);
  });
});
