// Every /api/v1 route × every kind of caller, compared with the table below. The table is written out by
// hand on purpose: it is the expected access model, not a copy of the policy code.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { contracts } from "../../lib/api/contracts";
import { apiSignIn, createToken, createUser, setDisabled, type Role } from "./support/accounts";

type Who = "anonymous" | Role;
const ANY: Who[] = ["anonymous", "ADMIN", "RESEARCHER", "CLINICIAN"];
const USERS: Who[] = ["ADMIN", "RESEARCHER", "CLINICIAN"];
const ADMIN: Who[] = ["ADMIN"];
const STAFF: Who[] = ["ADMIN", "RESEARCHER"];

const EXPECTED: Record<string, Who[]> = {
  "GET /health": ANY,
  "GET /openapi.json": ANY,
  "POST /register": ANY,
  "POST /setup": ANY,
  "GET /me": USERS,
  "GET /users": ADMIN,
  "PATCH /users/{id}": ADMIN,
  "GET /tokens": USERS,
  "POST /tokens": USERS,
  "DELETE /tokens/{id}": USERS,
  "GET /datasets": USERS,
  "GET /datasets/{id}": USERS,
  "GET /audit-events": ADMIN,
  "GET /presets": STAFF,
  "GET /runs": STAFF,
  "POST /runs": STAFF,
  "GET /runs/{id}": STAFF,
  "DELETE /runs/{id}": STAFF,
  "POST /runs/{id}/cancel": STAFF,
  "POST /runs/{id}/archive": STAFF,
  "POST /runs/{id}/unarchive": STAFF,
  "POST /runs/{id}/transitions": STAFF,
  "POST /runs/{id}/metrics": STAFF,
  "GET /runs/{id}/metrics": STAFF,
  "POST /metrics/query": STAFF,
  "POST /runs/{id}/logs": STAFF,
  "GET /runs/{id}/logs": STAFF,
};

const FULL_SCOPES: Record<Role, string> = { ADMIN: "admin", RESEARCHER: "read,runs:write,worker,download", CLINICIAN: "read,download" };

function routeFiles(dir = "app/api/v1"): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? routeFiles(p) : n === "route.ts" ? [p] : [];
  });
}

function routesOnDisk() {
  return routeFiles().flatMap((f) => {
    const urlPath = path.dirname(f).slice("app/api/v1".length).replace(/\[(\w+)\]/g, "{$1}");
    const methods = [...readFileSync(f, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
    return methods.map((m) => `${m} ${urlPath}`);
  });
}

async function call(ctx: APIRequestContext, key: string, headers: Record<string, string> = {}) {
  const [method, p] = key.split(" ");
  const url = `/api/v1${p.replace(/\{\w+\}/g, "doesnotexist0000")}`;
  const res = await ctx.fetch(url, { method, headers, ...(method === "GET" || method === "DELETE" ? {} : { data: {} }) });
  return res.status();
}

test("every route on disk is in the contracts and in the expected table", () => {
  const onDisk = routesOnDisk().sort();
  const contracted = Object.values(contracts).map((c) => `${c.method} ${c.path}`).sort();
  expect(onDisk).toEqual(contracted);
  expect(Object.keys(EXPECTED).sort()).toEqual(contracted);
});

test("authorization matrix: roles, sessions, tokens, revoked tokens and disabled users", async ({ playwright, request }) => {
  test.setTimeout(180_000);
  const base = process.env.E2E_BASE_URL;
  const sessions: Partial<Record<Who, APIRequestContext>> = { anonymous: await playwright.request.newContext({ baseURL: base }) };
  const tokens: Partial<Record<Role, string>> = {};
  for (const role of ["ADMIN", "RESEARCHER", "CLINICIAN"] as Role[]) {
    const u = await createUser(request, role);
    const ctx = await playwright.request.newContext({ baseURL: base });
    await apiSignIn(ctx, u.email);
    sessions[role] = ctx;
    tokens[role] = await createToken(request, u.email, FULL_SCOPES[role]);
  }
  const revoked = await createToken(request, (await createUser(request, "RESEARCHER")).email, FULL_SCOPES.RESEARCHER);
  const revokedId = (await (await request.get("/api/v1/tokens?all=true", { headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` } })).json()).tokens.find((t: { prefix: string }) => revoked.startsWith(t.prefix)).id;
  expect((await request.delete(`/api/v1/tokens/${revokedId}`, { headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` } })).status()).toBe(200);
  const disabled = await createUser(request, "ADMIN");
  const disabledSession = await playwright.request.newContext({ baseURL: base });
  await apiSignIn(disabledSession, disabled.email);
  const disabledToken = await createToken(request, disabled.email, "admin");
  await setDisabled(request, disabled.id, true);

  const mismatches: string[] = [];
  for (const [key, allowed] of Object.entries(EXPECTED)) {
    const publicRoute = allowed.includes("anonymous");
    for (const who of ANY) {
      const status = await call(sessions[who]!, key);
      const ok = ![401, 403].includes(status);
      const want = allowed.includes(who);
      if (ok !== want) mismatches.push(`${key} as ${who} session: ${status}`);
      if (!want && who === "anonymous" && status !== 401) mismatches.push(`${key} anonymous should be 401, got ${status}`);
      if (!want && who !== "anonymous" && status !== 403) mismatches.push(`${key} as ${who} should be 403, got ${status}`);
      if (who !== "anonymous") {
        const viaToken = await call(sessions.anonymous!, key, { authorization: `Bearer ${tokens[who as Role]}` });
        if (![401, 403].includes(viaToken) !== want) mismatches.push(`${key} as ${who} token: ${viaToken}`);
      }
    }
    if (!publicRoute) {
      for (const [label, ctx, headers] of [
        ["revoked token", sessions.anonymous!, { authorization: `Bearer ${revoked}` }],
        ["disabled user's session", disabledSession, {}],
        ["disabled user's token", sessions.anonymous!, { authorization: `Bearer ${disabledToken}` }],
      ] as const) {
        const status = await call(ctx, key, headers);
        if (status !== 401) mismatches.push(`${key} with ${label}: ${status}, want 401`);
      }
    }
  }
  expect(mismatches).toEqual([]);
});

test("a read-only token cannot write even where its owner's role could", async ({ request, playwright }) => {
  const u = await createUser(request, "ADMIN");
  const readOnly = await createToken(request, u.email, "read");
  const ctx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  const h = { authorization: `Bearer ${readOnly}` };
  expect((await ctx.get("/api/v1/datasets", { headers: h })).status()).toBe(200);
  expect((await ctx.get("/api/v1/users", { headers: h })).status()).toBe(403);
  expect((await ctx.post("/api/v1/tokens", { headers: h, data: { name: "x", scopes: ["admin"] } })).status()).toBe(403);
});

test("bad input at the HTTP edge: oversized, malformed, unknown fields, spoofed middleware header", async ({ request }) => {
  const big = await request.post("/api/v1/register", { data: { email: "a@b.org", name: "x".repeat(20_000), password: "long enough pw" } });
  expect(big.status()).toBe(413);
  const malformed = await request.post("/api/v1/register", { headers: { "content-type": "application/json" }, data: '{"email":' });
  expect(malformed.status()).toBe(400);
  expect((await malformed.json()).errors[0].field).toBe("body");
  const unknown = await request.post("/api/v1/register", { data: { email: "u@b.org", name: "x", password: "long enough pw", role: "ADMIN" } });
  expect(unknown.status()).toBe(400);
  expect((await unknown.json()).errors.map((e: { field: string }) => e.field)).toContain("role");
  const spoof = await request.get("/api/v1/users", { headers: { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" } });
  expect(spoof.status()).toBe(401);
  const body = await spoof.text();
  expect(body).not.toMatch(/stack|prisma|SELECT/i);
});
