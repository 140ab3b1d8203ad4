// Every route of the built app × every kind of caller, compared with the tables below. The tables are written out
// by hand on purpose: they are the expected access model, not a copy of the policy code. Routes come from Next's
// route manifest and their methods from the server's own OPTIONS answer, so a new route can't be missed. Every
// object a call touches belongs to another user, and is made fresh for the call. A 5xx is always a failure.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiSignIn, createUser, setDisabled } from "./support/accounts";
import { checkpointTar, openReleaseOf } from "./support/releases";

type Role = "ADMIN" | "RESEARCHER" | "CLINICIAN";
type Scope = "read" | "runs:write" | "worker" | "download" | "tokens" | "admin";
/** `workerToken`: only a token whose single scope is `worker` (an agent), never a session or an admin token. */
type Rule = "public" | "nobody" | { roles: Role[]; scopes: Scope[]; hides?: true; workerToken?: true };

const ALL: Role[] = ["ADMIN", "RESEARCHER", "CLINICIAN"];
const STAFF: Role[] = ["ADMIN", "RESEARCHER"];
const ADMIN: Role[] = ["ADMIN"];
const SCOPES_OF: Record<Role, Scope[]> = {
  ADMIN: ["read", "runs:write", "worker", "download", "tokens", "admin"],
  RESEARCHER: ["read", "runs:write", "worker", "download", "tokens"],
  CLINICIAN: ["read", "download", "tokens"],
};

/** Objects in {id} belong to another user: only admins acting as admins reach other people's runs and tokens,
 * and nobody reaches someone else's session. `hides`: a refusal may be 404, so ids can't be probed. */
const EXPECTED: Record<string, Rule> = {
  "GET /api/v1/health": "public",
  "GET /api/v1/openapi.json": "public",
  "POST /api/v1/register": "public",
  "POST /api/v1/setup": "public",
  "GET /api/v1/me": { roles: ALL, scopes: ["read"] },
  // Your own account: mail settings and a confirmation link need the scope for your account, not just reading.
  "PATCH /api/v1/me": { roles: ALL, scopes: ["tokens"] },
  "POST /api/v1/me/email-confirmation": { roles: ALL, scopes: ["tokens"] },
  // An emailed link is its own credential: whoever holds it confirms the address or asks; answers never tell more.
  "POST /api/v1/email-confirmations": "public",
  "POST /api/v1/sign-in-links": "public",
  "GET /api/v1/users": { roles: ADMIN, scopes: ["admin"] },
  "PATCH /api/v1/users/{id}": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/users/{id}/unlock": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/tokens": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/tokens": { roles: ALL, scopes: ["tokens"] },
  "DELETE /api/v1/tokens/{id}": { roles: ADMIN, scopes: ["admin"], hides: true },
  "GET /api/v1/sessions": { roles: ALL, scopes: ["read"] },
  "DELETE /api/v1/sessions": { roles: ALL, scopes: ["tokens"] },
  "DELETE /api/v1/sessions/{id}": "nobody",
  "GET /api/v1/datasets": { roles: ALL, scopes: ["read"] },
  "GET /api/v1/datasets/{id}": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/datasets": { roles: STAFF, scopes: ["runs:write"] },
  "PATCH /api/v1/datasets/{id}": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/datasets/{id}/versions": { roles: ALL, scopes: ["read"] },
  // Another researcher's team dataset and draft version: only admins acting as admins change them; drafts are
  // hidden from clinicians (404).
  "POST /api/v1/datasets/{id}/versions": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/dataset-roots": { roles: STAFF, scopes: ["runs:write"] },
  "GET /api/v1/dataset-versions/{id}": { roles: ALL, scopes: ["read"] },
  "GET /api/v1/dataset-versions/{id}/scans": { roles: ALL, scopes: ["read"] },
  "GET /api/v1/dataset-versions/{id}/problems": { roles: STAFF, scopes: ["read"] },
  "GET /api/v1/dataset-versions/{id}/stats": { roles: ALL, scopes: ["read"] },
  "GET /api/v1/dataset-versions/{id}/duplicates": { roles: ALL, scopes: ["read"] },
  "GET /api/v1/dataset-versions/{id}/manifest": { roles: STAFF, scopes: ["read"] },
  // The files another user's leased run trains on: readers of runs (and that run's worker).
  "GET /api/v1/runs/{id}/volumes/{sha256}": { roles: STAFF, scopes: ["read"] },
  // A published volume: previews and the clean NIfTI for everyone who reads datasets.
  "GET /api/v1/scans/{id}/preview": { roles: ALL, scopes: ["read"] },
  "GET /api/v1/scans/{id}/volume": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/dataset-versions/{id}/folders": { roles: ADMIN, scopes: ["admin"], hides: true },
  "POST /api/v1/dataset-versions/{id}/publish": { roles: ADMIN, scopes: ["admin"], hides: true },
  "POST /api/v1/dataset-versions/{id}/jobs/{job}/cancel": { roles: ADMIN, scopes: ["admin"], hides: true },
  "GET /api/v1/audit-events": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/presets": { roles: STAFF, scopes: ["read"] },
  "GET /api/v1/runs": { roles: STAFF, scopes: ["read"] },
  "POST /api/v1/runs": { roles: STAFF, scopes: ["runs:write"] },
  "GET /api/v1/runs/{id}": { roles: STAFF, scopes: ["read"] },
  "DELETE /api/v1/runs/{id}": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/runs/{id}/cancel": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/runs/{id}/archive": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/runs/{id}/unarchive": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/runs/{id}/transitions": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/runs/{id}/metrics": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/runs/{id}/metrics": { roles: STAFF, scopes: ["read"] },
  "POST /api/v1/metrics/query": { roles: STAFF, scopes: ["read"] },
  "POST /api/v1/runs/{id}/logs": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/runs/{id}/logs": { roles: STAFF, scopes: ["read"] },
  "GET /api/v1/runs/{id}/checkpoints": { roles: STAFF, scopes: ["read"] },
  // A checkpoint's bytes hold the weights of any release made from it: its owner (and their lease-holding worker)
  // and admins acting as admins only; others who read runs see the list.
  "GET /api/v1/runs/{id}/checkpoints/{step}": { roles: ADMIN, scopes: ["admin"] },
  // Checkpoint uploads into another user's leased run: like its metrics, only admins acting as admins.
  "POST /api/v1/uploads": { roles: ADMIN, scopes: ["admin"] },
  "PATCH /api/v1/uploads/{id}": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/workers": { roles: STAFF, scopes: ["read"] },
  "POST /api/v1/workers": { roles: STAFF, scopes: ["worker"], workerToken: true },
  "GET /api/v1/workers/{id}": { roles: STAFF, scopes: ["read"] },
  "PATCH /api/v1/workers/{id}": { roles: ADMIN, scopes: ["admin"] },
  "DELETE /api/v1/workers/{id}": { roles: ADMIN, scopes: ["admin"] },
  // Another user's worker: only the agent holding that worker's token may heartbeat or claim for it.
  "POST /api/v1/workers/{id}/heartbeat": "nobody",
  "POST /api/v1/workers/{id}/claim": "nobody",
  "GET /api/v1/workers/{id}/samples": { roles: STAFF, scopes: ["read"] },
  // Releases of another researcher: visible once published; changed, published and shared only by admins acting as
  // admins (drafts are hidden: 404); requests and terms by anyone who reads; downloads of an OPEN release by
  // anyone with the download scope; the review queue's decisions and revocations by admins.
  "GET /api/v1/releases": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/releases": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/releases/{id}": { roles: ALL, scopes: ["read"] },
  "PATCH /api/v1/releases/{id}": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/releases/{id}/publish": { roles: ADMIN, scopes: ["admin"], hides: true },
  "POST /api/v1/releases/{id}/deprecate": { roles: ADMIN, scopes: ["admin"] },
  "POST /api/v1/releases/{id}/terms": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/releases/{id}/requests": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/releases/{id}/grants": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/releases/{id}/files/{path}": { roles: ALL, scopes: ["download"] },
  "POST /api/v1/releases/{id}/files/{path}/link": { roles: ALL, scopes: ["download"] },
  "GET /api/v1/releases/{id}/stats": { roles: ADMIN, scopes: ["admin"] },
  // A signed link is its own credential (for the owner who made it): anyone holding it downloads, for 5 minutes.
  "GET /api/v1/downloads/{token}": "public",
  "GET /api/v1/access-requests": { roles: ALL, scopes: ["read"] },
  "POST /api/v1/access-requests/decisions": { roles: ADMIN, scopes: ["admin"] },
  "DELETE /api/v1/access-grants/{id}": { roles: ADMIN, scopes: ["admin"] },
  "GET /api/v1/notifications": { roles: ALL, scopes: ["read"] },
  // Marking one's notifications read writes to one's account: a read-only token can't.
  "POST /api/v1/notifications/read": { roles: ALL, scopes: ["tokens"] },
  // The Hugging Face Hub-compatible routes on another user's OPEN release: like the API's (a repository one may
  // not see is not found).
  "GET /api/models/{namespace}/{repo}": { roles: ALL, scopes: ["read"], hides: true },
  "GET /api/models/{namespace}/{repo}/revision/{revision}": { roles: ALL, scopes: ["read"], hides: true },
  "GET /api/models/{namespace}/{repo}/tree/{revision}": { roles: ALL, scopes: ["read"], hides: true },
  "GET /api/models/{namespace}/{repo}/tree/{revision}/{path}": { roles: ALL, scopes: ["read"], hides: true },
  "GET /{namespace}/{repo}/resolve/{revision}/{file}": { roles: ALL, scopes: ["download"], hides: true },
  // next-auth's own endpoints and the JSON 404 for unknown API paths: open to all, never a 5xx.
  "GET /api/auth/{nextauth}": "public",
  "POST /api/auth/{nextauth}": "public",
  "GET /api/{path}": "public",
  "POST /api/{path}": "public",
  "PUT /api/{path}": "public",
  "PATCH /api/{path}": "public",
  "DELETE /api/{path}": "public",
};

/** Pages: who sees them (others are sent to /forbidden; anonymous callers to /login). */
const PAGES: Record<string, Role[] | "public"> = {
  "/login": "public",
  "/login/link": "public",
  "/confirm-email": "public",
  "/register": "public",
  "/setup": "public",
  "/": ALL,
  "/datasets": ALL,
  "/datasets/[id]": ALL,
  "/datasets/[id]/versions/[version]": ALL,
  "/datasets/[id]/versions/[version]/scans/[scan]": ALL,
  "/releases": ALL,
  "/releases/[id]": ALL,
  "/admin/access": ADMIN,
  "/settings/account": ALL,
  "/settings/tokens": ALL,
  "/settings/sessions": ALL,
  "/api-docs": ALL,
  "/forbidden": ALL,
  "/runs": STAFF,
  "/runs/[id]": STAFF,
  "/runs/compare": STAFF,
  "/runs/new": STAFF,
  "/workers": STAFF,
  "/admin": ADMIN,
  "/admin/audit": ADMIN,
};

type Caller = { label: string; kind: "anonymous" | "session" | "token" | "dead"; role?: Role; scope?: Scope; email?: string; ctx: APIRequestContext; headers: Record<string, string> };

function builtRoutes() {
  const manifest = JSON.parse(readFileSync(path.join(".next", "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  // Route handlers (the API, and the Hub-compatible routes outside it) and pages.
  const entries = Object.entries(manifest);
  return {
    api: entries.filter(([k]) => k.endsWith("/route")).map(([, r]) => r),
    pages: entries.filter(([k, r]) => k.endsWith("/page") && !r.startsWith("/_")).map(([, r]) => r),
  };
}

const pattern = (route: string) => route.replace(/\[(?:\.\.\.)?(\w+)\]/g, "{$1}");

function expected(rule: Rule, c: Caller): boolean {
  if (rule === "public") return true;
  if (rule === "nobody" || c.kind === "anonymous" || c.kind === "dead") return false;
  if (!rule.roles.includes(c.role!)) return false;
  if (rule.workerToken) return c.kind === "token" && c.scope === "worker";
  return c.kind === "session" || rule.scopes.includes(c.scope!) || c.scope === "admin";
}

function databaseUrl() {
  const dataDir = process.env.HOUNSFIELD_DATA_DIR!;
  const pid = readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n");
  const password = readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim();
  return `postgresql://hounsfield:${password}@127.0.0.1:${pid[3]}/hounsfield`;
}

test("every route of the built app, and only those, is in the expected tables", async ({ request }) => {
  const { api, pages } = builtRoutes();
  const keys: string[] = [];
  for (const route of api) {
    const probe = route.replace(/\[(?:\.\.\.)?\w+\]/g, "probe");
    const allow = (await request.fetch(probe, { method: "OPTIONS" })).headers()["allow"] ?? "";
    for (const m of allow.split(",").map((s) => s.trim()).filter((m) => !["HEAD", "OPTIONS"].includes(m))) keys.push(`${m} ${pattern(route)}`);
  }
  expect(keys.sort()).toEqual(Object.keys(EXPECTED).sort());
  expect(pages.sort()).toEqual(Object.keys(PAGES).sort());
});

test("authorization matrix: every route × anonymous, each role, each single-scope token, expired, revoked, child-of-revoked and disabled callers", async ({ playwright, request }) => {
  test.setTimeout(600_000);
  const base = process.env.E2E_BASE_URL!;
  const adminH = { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` };
  const fresh = () => playwright.request.newContext({ baseURL: base });
  const sessionOf = new Map<string, APIRequestContext>();
  const signIn = async (email: string) => {
    const ctx = sessionOf.get(email) ?? (await fresh());
    await ctx.clearCookies();
    await apiSignIn(ctx, email);
    sessionOf.set(email, ctx);
    return ctx;
  };
  const mint = async (ctx: APIRequestContext, scopes: Scope[], expiresInDays?: number) => {
    const r = await ctx.post("/api/v1/tokens", { data: { name: `m-${Math.random().toString(36).slice(2, 8)}`, scopes, ...(expiresInDays ? { expiresInDays } : {}) } });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()) as { id: string; secret: string };
  };

  // The callers.
  const anonymous = await fresh();
  const callers: Caller[] = [{ label: "anonymous", kind: "anonymous", ctx: anonymous, headers: {} }];
  for (const role of ALL) {
    const u = await createUser(request, role);
    const ctx = await signIn(u.email);
    callers.push({ label: `${role} session`, kind: "session", role, email: u.email, ctx, headers: {} });
    for (const scope of SCOPES_OF[role]) {
      const t = await mint(ctx, [scope]);
      callers.push({ label: `${role} token [${scope}]`, kind: "token", role, scope, email: u.email, ctx: anonymous, headers: { authorization: `Bearer ${t.secret}` } });
    }
  }
  const dead = await createUser(request, "ADMIN");
  const deadCtx = await signIn(dead.email);
  const expired = await mint(deadCtx, ["admin"], 1);
  const revoked = await mint(deadCtx, ["admin"]);
  const parent = await mint(deadCtx, ["admin"]);
  const child = await (await fresh()).post("/api/v1/tokens", { headers: { authorization: `Bearer ${parent.secret}` }, data: { name: "child", scopes: ["admin"] } }).then((r) => r.json());
  expect((await deadCtx.delete(`/api/v1/tokens/${revoked.id}`)).status()).toBe(200);
  expect((await deadCtx.delete(`/api/v1/tokens/${parent.id}`)).status()).toBe(200);
  const db = new pg.Client({ connectionString: databaseUrl() });
  await db.connect();
  await db.query(`UPDATE "ApiToken" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
  await db.end();
  const disabled = await createUser(request, "ADMIN");
  const disabledCtx = await signIn(disabled.email);
  const disabledToken = await mint(disabledCtx, ["admin"]);
  await setDisabled(request, disabled.id, true);
  for (const [label, ctx, secret] of [
    ["expired token", anonymous, expired.secret],
    ["revoked token", anonymous, revoked.secret],
    ["child of a revoked token", anonymous, child.secret as string],
    ["disabled user's session", disabledCtx, null],
    ["disabled user's token", anonymous, disabledToken.secret],
  ] as const) {
    callers.push({ label, kind: "dead", ctx, headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  }

  // The other user whose objects every call touches.
  const owner = await createUser(request, "RESEARCHER");
  const ownerCtx = await signIn(owner.email);
  const ownerToken = { authorization: `Bearer ${(await mint(ownerCtx, ["read", "runs:write", "tokens"])).secret}` };
  const ownerDownload = { authorization: `Bearer ${(await mint(ownerCtx, ["download"])).secret}` };
  const ownerSession = await (await ownerCtx.get("/api/v1/sessions")).json().then((b) => b.sessions[0].id as string);
  const victim = await createUser(request, "CLINICIAN");
  const dataset = await (await request.get("/api/v1/datasets?q=NLST", { headers: adminH })).json().then((b) => b.datasets[0].id as string);
  const run = async (status?: "CANCELLED") => {
    const r = await request.post("/api/v1/runs", { headers: ownerToken, data: { name: "owned by someone else", preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] } });
    expect(r.status()).toBe(201);
    const id = (await r.json()).id as string;
    if (status) expect((await request.post(`/api/v1/runs/${id}/cancel`, { headers: ownerToken })).status()).toBe(200);
    return id;
  };
  const sharedRun = await run();
  let n = 0;
  /** A worker registered by the other user's agent (a fresh one for each removal). */
  const worker = async () => {
    const t = await mint(ownerCtx, ["worker"]);
    const r = await request.post("/api/v1/workers", { headers: { authorization: `Bearer ${t.secret}` }, data: { name: "someone else's worker", instanceId: "owners-agent" } });
    expect(r.status(), await r.text()).toBe(200);
    return (await r.json()).id as string;
  };
  const sharedWorker = await worker();
  // A run the other user's (Slurm) worker leases, with one checkpoint on the server: the target of uploads.
  const slurmToken = { authorization: `Bearer ${(await mint(ownerCtx, ["worker"])).secret}` };
  const slurmWorker = (await (await request.post("/api/v1/workers", { headers: slurmToken, data: { name: "someone else's cluster", executor: "SLURM", instanceId: "owners-cluster" } })).json()).id as string;
  const leasedRun = (await (await request.post("/api/v1/runs", { headers: ownerToken, data: { name: "leased", preset: "tiny", executor: "SLURM", gpus: 0, datasetMix: [{ dataset: "sample-ct", weight: 1 }] } })).json()).id as string;
  const claim = await (await request.post(`/api/v1/workers/${slurmWorker}/claim`, { headers: slurmToken, data: { instanceId: "owners-cluster" } })).json();
  expect(claim.run?.runId).toBe(leasedRun);
  // Its agent keeps the lease alive, as a real one does, however long the matrix takes (longer than a lease's TTL).
  const heartbeat = setInterval(() => void request.post(`/api/v1/workers/${slurmWorker}/heartbeat`, { headers: slurmToken, data: { instanceId: "owners-cluster", runs: [{ runId: leasedRun, epoch: claim.run.epoch }] } }).catch(() => undefined), 10_000);
  heartbeat.unref();
  const TEN = Buffer.from("0123456789");
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const tusCreate = (step: number) => ({
    "tus-resumable": "1.0.0",
    "upload-length": "10",
    "upload-metadata": [["runId", leasedRun], ["epoch", String(claim.run.epoch)], ["step", String(step)], ["sha256", createHash("sha256").update(TEN).digest("hex")]].map(([k, v]) => `${k} ${b64(v)}`).join(","),
  });
  const newUpload = async (step: number) => {
    const r = await request.post("/api/v1/uploads", { headers: { ...slurmToken, ...tusCreate(step) } });
    expect(r.status(), await r.text()).toBe(201);
    return r.headers()["location"].split("/").pop()!;
  };
  const tusPatch = { "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" };
  const firstUpload = await newUpload(1);
  expect((await request.patch(`/api/v1/uploads/${firstUpload}`, { headers: { ...slurmToken, ...tusPatch }, data: TEN })).status()).toBe(204);
  expect((await request.post(`/api/v1/runs/${sharedRun}/metrics`, { headers: ownerToken, data: { points: [{ key: "loss", step: 1, value: 1 }] } })).status()).toBe(200);
  // The other user's team dataset with a draft version, and the published sample version (an admin's).
  const ownerDataset = (await (await request.post("/api/v1/datasets", { headers: ownerToken, data: { name: "someone else's scans", license: "internal" } })).json()).id as string;
  const draft = async () => {
    const r = await request.post(`/api/v1/datasets/${ownerDataset}/versions`, { headers: ownerToken, data: { version: `d${n++}` } });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()).id as string;
  };
  const register = async (version: string) => {
    const r = await request.post(`/api/v1/dataset-versions/${version}/folders`, { headers: ownerToken, data: { root: process.env.DATASET_ROOT, folder: "dicom-series-philips-phantom-axial" } });
    expect(r.status(), await r.text()).toBe(202);
    return (await r.json()).id as string;
  };
  /** A draft whose files are indexed: publishable. */
  const indexedDraft = async () => {
    const v = await draft();
    await register(v);
    await expect.poll(async () => (await (await request.get(`/api/v1/dataset-versions/${v}`, { headers: ownerToken })).json()).jobs[0]?.status, { timeout: 30_000 }).toBe("DONE");
    return v;
  };
  const sample = await (await request.get("/api/v1/datasets/sample-ct/versions", { headers: adminH })).json().then((b) => b.versions[0].id as string);
  const sharedDraft = await draft();
  // A real checkpoint (the trainer's files in a tar) on the other user's leased run, step 2: what releases come from.
  const ckptTar = await checkpointTar(2);
  const ckptUpload = await request.post("/api/v1/uploads", { headers: { ...slurmToken, "tus-resumable": "1.0.0", "upload-length": String(ckptTar.length), "upload-metadata": [["runId", leasedRun], ["epoch", String(claim.run.epoch)], ["step", "2"], ["sha256", createHash("sha256").update(ckptTar).digest("hex")]].map(([k, v]) => `${k} ${b64(v)}`).join(",") } });
  expect(ckptUpload.status(), await ckptUpload.text()).toBe(201);
  expect((await request.patch(`/api/v1/uploads/${ckptUpload.headers()["location"].split("/").pop()}`, { headers: { ...slurmToken, ...tusPatch }, data: ckptTar })).status()).toBe(204);
  const newRelease = async (policy: "OPEN" | "GATED" | "PRIVATE", publish = true, terms = "") => {
    const r = await request.post("/api/v1/releases", { headers: ownerToken, data: { runId: leasedRun, step: 2, name: `m-${Date.now().toString(36)}-${n++}`, version: "1.0.0", license: "CC BY 4.0", policy, terms } });
    expect(r.status(), await r.text()).toBe(201);
    const id = (await r.json()).id as string;
    if (publish) expect((await request.post(`/api/v1/releases/${id}/publish`, { headers: ownerToken, data: {} })).status()).toBe(200);
    return id;
  };
  const gatedRelease = await newRelease("GATED", true, "cite us");
  const openRelease = await newRelease("OPEN");
  const ownerLink = (await (await request.post(`/api/v1/releases/${openRelease}/files/model.safetensors/link`, { headers: ownerDownload })).json()).url as string;
  const hubRepo = `/hounsfield/${(await (await request.get(`/api/v1/releases/${openRelease}`, { headers: adminH })).json()).name}`;
  const ownerSessionCtx = ownerCtx;
  void ownerSessionCtx;
  // A third person whose requests and grants admins decide on.
  const requester = await createUser(request, "CLINICIAN");
  const requesterCtx = await signIn(requester.email);
  const sharedDraftRelease = await newRelease("GATED", false);
  /** A fresh pending request of the requester (on a fresh GATED release). */
  const pendingRequest = async () => {
    const rel = await newRelease("GATED");
    const r = await requesterCtx.post(`/api/v1/releases/${rel}/requests`, { data: { institution: "Clinic", role: "radiologist", intendedUse: "segmentation research", acceptTerms: true, termsVersion: "1" } });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()).id as string;
  };
  const freshGrant = async () => {
    const r = await request.post(`/api/v1/releases/${gatedRelease}/grants`, { headers: ownerToken, data: { email: requester.email } });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()).id as string;
  };
  const sharedPending = await pendingRequest();
  const sharedGrant = await freshGrant();
  const [sampleSha256, sampleScan] = await (await request.get(`/api/v1/dataset-versions/${sample}/scans`, { headers: adminH })).json().then((b) => [b.scans[0].sha256 as string, b.scans[0].id as string]);

  /** A request that succeeds for whoever may make it: valid body, fresh object of another user. */
  async function requestFor(key: string, c: Caller): Promise<{ url: string; data?: unknown; headers?: Record<string, string> }> {
    const [, route] = key.split(" ");
    switch (key) {
      case "POST /api/v1/register":
        return { url: route, data: { email: `m${Date.now()}${n++}@example.org`, name: "Matrix", password: "long enough pw" } };
      case "POST /api/v1/setup":
        return { url: route, data: { token: "setup_not-a-live-link", email: "x@example.org", name: "x", password: "long enough pw" } };
      case "PATCH /api/v1/users/{id}":
        return { url: `/api/v1/users/${victim.id}`, data: { role: "CLINICIAN" } };
      case "POST /api/v1/users/{id}/unlock":
        return { url: `/api/v1/users/${victim.id}/unlock` };
      case "PATCH /api/v1/me":
        return { url: route, data: { mailRunFailures: n++ % 2 === 0 } };
      case "POST /api/v1/email-confirmations":
        return { url: route, data: { token: "confirm_not-a-live-link" } };
      case "POST /api/v1/sign-in-links":
        return { url: route, data: { email: `nobody-${n++}@example.org` } };
      case "POST /api/v1/tokens":
        return { url: route, data: { name: "matrix", scopes: [c.scope && c.scope !== "admin" ? c.scope : "read"] } };
      case "DELETE /api/v1/tokens/{id}":
        return { url: `/api/v1/tokens/${(await mint(ownerCtx, ["read"])).id}` };
      case "DELETE /api/v1/sessions/{id}":
        return { url: `/api/v1/sessions/${ownerSession}` };
      case "GET /api/v1/datasets/{id}":
        return { url: `/api/v1/datasets/${dataset}` };
      case "POST /api/v1/runs":
        return { url: route, data: { name: "matrix run", preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] } };
      case "GET /api/v1/runs/{id}":
        return { url: `/api/v1/runs/${sharedRun}` };
      case "DELETE /api/v1/runs/{id}":
        return { url: `/api/v1/runs/${await run("CANCELLED")}` };
      case "POST /api/v1/runs/{id}/cancel":
      case "POST /api/v1/runs/{id}/archive":
      case "POST /api/v1/runs/{id}/unarchive":
        return { url: route.replace("{id}", await run()) };
      case "POST /api/v1/runs/{id}/transitions":
        return { url: `/api/v1/runs/${await run()}/transitions`, data: { to: "STARTING" } };
      case "POST /api/v1/runs/{id}/metrics":
        return { url: `/api/v1/runs/${sharedRun}/metrics`, data: { points: [{ key: "loss", step: n++, value: 0.5 }] } };
      case "GET /api/v1/runs/{id}/metrics":
        return { url: `/api/v1/runs/${sharedRun}/metrics?key=loss` };
      case "POST /api/v1/metrics/query":
        return { url: route, data: { series: [{ runId: sharedRun, key: "loss" }] } };
      case "POST /api/v1/runs/{id}/logs":
        return { url: `/api/v1/runs/${sharedRun}/logs`, data: { chunks: [{ seq: n++, text: "line\n" }] } };
      case "GET /api/v1/runs/{id}/logs":
        return { url: `/api/v1/runs/${sharedRun}/logs` };
      case "POST /api/v1/workers":
        return { url: route, data: { name: `matrix worker ${n++}`, instanceId: "matrix-agent" } };
      case "GET /api/v1/workers/{id}":
      case "GET /api/v1/workers/{id}/samples":
        return { url: route.replace("{id}", sharedWorker) };
      case "PATCH /api/v1/workers/{id}":
        return { url: route.replace("{id}", sharedWorker), data: { draining: n++ % 2 === 0 } };
      case "DELETE /api/v1/workers/{id}":
        return { url: route.replace("{id}", await worker()) };
      case "POST /api/v1/workers/{id}/heartbeat":
      case "POST /api/v1/workers/{id}/claim":
        return { url: route.replace("{id}", sharedWorker), data: { instanceId: "matrix-agent" } };
      case "GET /api/v1/runs/{id}/checkpoints":
        return { url: `/api/v1/runs/${leasedRun}/checkpoints` };
      case "GET /api/v1/runs/{id}/checkpoints/{step}":
        return { url: `/api/v1/runs/${leasedRun}/checkpoints/1` };
      case "POST /api/v1/uploads":
        return { url: route, headers: tusCreate(100 + n++) };
      case "PATCH /api/v1/uploads/{id}":
        return { url: `/api/v1/uploads/${await newUpload(1000 + n++)}`, headers: tusPatch, data: TEN };
      case "POST /api/v1/datasets":
        return { url: route, data: { name: `matrix dataset ${n++}`, license: "internal" } };
      case "PATCH /api/v1/datasets/{id}":
        return { url: `/api/v1/datasets/${ownerDataset}`, data: { notes: `edited ${n++}` } };
      case "GET /api/v1/datasets/{id}/versions":
        return { url: `/api/v1/datasets/${ownerDataset}/versions` };
      case "POST /api/v1/datasets/{id}/versions":
        return { url: `/api/v1/datasets/${ownerDataset}/versions`, data: { version: `m${n++}` } };
      case "GET /api/v1/dataset-versions/{id}":
      case "GET /api/v1/dataset-versions/{id}/scans":
      case "GET /api/v1/dataset-versions/{id}/problems":
      case "GET /api/v1/dataset-versions/{id}/stats":
      case "GET /api/v1/dataset-versions/{id}/duplicates":
      case "GET /api/v1/dataset-versions/{id}/manifest":
        return { url: route.replace("{id}", sample) };
      case "GET /api/v1/scans/{id}/preview":
        return { url: `/api/v1/scans/${sampleScan}/preview?plane=coronal&window=lung` };
      case "GET /api/v1/scans/{id}/volume":
        return { url: `/api/v1/scans/${sampleScan}/volume` };
      case "GET /api/v1/runs/{id}/volumes/{sha256}":
        return { url: `/api/v1/runs/${leasedRun}/volumes/${sampleSha256}` };
      case "POST /api/v1/dataset-versions/{id}/folders":
        return { url: route.replace("{id}", sharedDraft), data: { root: process.env.DATASET_ROOT, folder: "dicom-series-philips-phantom-axial" } };
      case "POST /api/v1/dataset-versions/{id}/publish":
        return { url: route.replace("{id}", expected(EXPECTED[key], c) ? await indexedDraft() : sharedDraft) };
      case "POST /api/v1/dataset-versions/{id}/jobs/{job}/cancel": {
        const v = await draft();
        return { url: `/api/v1/dataset-versions/${v}/jobs/${await register(v)}/cancel` };
      }
      case "POST /api/v1/releases":
        return { url: route, data: { runId: leasedRun, step: 2, name: `matrix-${Date.now().toString(36)}-${n++}`, version: "1.0.0", license: "CC BY 4.0" } };
      case "GET /api/v1/releases/{id}":
        return { url: `/api/v1/releases/${gatedRelease}` };
      case "PATCH /api/v1/releases/{id}":
        return { url: `/api/v1/releases/${gatedRelease}`, data: { description: `edited ${n++}` } };
      case "POST /api/v1/releases/{id}/publish":
        return { url: `/api/v1/releases/${expected(EXPECTED[key], c) ? await newRelease("GATED", false) : sharedDraftRelease}/publish`, data: {} };
      case "POST /api/v1/releases/{id}/deprecate":
        return { url: `/api/v1/releases/${openRelease}/deprecate`, data: { note: "superseded" } };
      case "POST /api/v1/releases/{id}/terms":
        return { url: `/api/v1/releases/${gatedRelease}/terms`, data: { termsVersion: "1" } };
      case "POST /api/v1/releases/{id}/requests":
        return { url: `/api/v1/releases/${expected(EXPECTED[key], c) ? await newRelease("GATED") : gatedRelease}/requests`, data: { institution: "Clinic", role: "radiologist", intendedUse: "segmentation research", acceptTerms: true, termsVersion: "1" } };
      case "POST /api/v1/releases/{id}/grants":
        return { url: `/api/v1/releases/${gatedRelease}/grants`, data: { email: requester.email } };
      case "GET /api/v1/releases/{id}/files/{path}":
        return { url: `/api/v1/releases/${openRelease}/files/model.safetensors` };
      case "GET /api/v1/releases/{id}/stats":
        return { url: `/api/v1/releases/${gatedRelease}/stats` };
      case "POST /api/v1/releases/{id}/files/{path}/link":
        return { url: `/api/v1/releases/${openRelease}/files/model.safetensors/link` };
      case "GET /api/v1/downloads/{token}":
        return { url: ownerLink };
      case "POST /api/v1/access-requests/decisions":
        return { url: route, data: { ids: [expected(EXPECTED[key], c) ? await pendingRequest() : sharedPending], approve: true } };
      case "DELETE /api/v1/access-grants/{id}":
        return { url: `/api/v1/access-grants/${expected(EXPECTED[key], c) ? await freshGrant() : sharedGrant}` };
      case "GET /api/models/{namespace}/{repo}":
        return { url: `/api/models${hubRepo}` };
      case "GET /api/models/{namespace}/{repo}/revision/{revision}":
        return { url: `/api/models${hubRepo}/revision/1.0.0` };
      case "GET /api/models/{namespace}/{repo}/tree/{revision}":
        return { url: `/api/models${hubRepo}/tree/main` };
      case "GET /api/models/{namespace}/{repo}/tree/{revision}/{path}":
        return { url: `/api/models${hubRepo}/tree/main/config.json` };
      case "GET /{namespace}/{repo}/resolve/{revision}/{file}":
        return { url: `${hubRepo}/resolve/main/model.safetensors` };
      case "GET /api/auth/{nextauth}":
        return { url: "/api/auth/session" };
      case "POST /api/auth/{nextauth}":
        return { url: "/api/auth/callback/credentials", data: { email: "nobody@example.org", password: "wrong" } };
      default:
        return { url: route.replace("{path}", "no-such-endpoint") };
    }
  }

  const mismatches: string[] = [];
  for (const [key, rule] of Object.entries(EXPECTED)) {
    const method = key.split(" ")[0];
    for (const c of callers) {
      const { url, data, headers } = await requestFor(key, c);
      const res = await c.ctx.fetch(url, { method, headers: { ...headers, ...c.headers }, ...(data !== undefined ? { data } : {}), maxRedirects: 0 });
      const status = res.status();
      const want = expected(rule, c);
      const where = `${key} as ${c.label}: ${status}`;
      if (status >= 500) mismatches.push(`${where} (server error)`);
      else if (rule === "public") {
        if (key.startsWith("POST /api/v1/setup") ? status !== 410 : key.includes("{path}") ? status !== 404 : status === 401 || status === 403) mismatches.push(`${where} (public)`);
      } else if (want && (status < 200 || status > 299)) mismatches.push(`${where}, want 2xx`);
      else if (!want && (c.kind === "anonymous" || c.kind === "dead") && status !== 401) mismatches.push(`${where}, want 401`);
      else if (!want && c.kind !== "anonymous" && c.kind !== "dead" && !(status === 403 || ((rule === "nobody" || (typeof rule === "object" && rule.hides)) && status === 404))) {
        mismatches.push(`${where}, want 403${rule === "nobody" || (typeof rule === "object" && rule.hides) ? " or 404" : ""}`);
      }
      // Signing out everywhere signed this caller's user out: sign their browser back in for the next rows.
      if (key === "DELETE /api/v1/sessions" && status === 200 && c.email) await signIn(c.email);
    }
  }
  clearInterval(heartbeat);
  expect(mismatches).toEqual([]);
});

test("pages × anonymous and each role: the right ones render, others send to /forbidden or /login, none fails", async ({ playwright, request }) => {
  test.setTimeout(180_000);
  const base = process.env.E2E_BASE_URL!;
  const ctxFor: Partial<Record<Role | "anonymous", APIRequestContext>> = { anonymous: await playwright.request.newContext({ baseURL: base }) };
  for (const role of ALL) {
    const u = await createUser(request, role);
    const ctx = await playwright.request.newContext({ baseURL: base });
    await apiSignIn(ctx, u.email);
    ctxFor[role] = ctx;
  }
  const adminH = { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` };
  const owner = await createUser(request, "RESEARCHER");
  const ownerCtx = await playwright.request.newContext({ baseURL: base });
  await apiSignIn(ownerCtx, owner.email);
  const runId = await ownerCtx.post("/api/v1/runs", { data: { name: "someone else's", preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] } }).then((r) => r.json()).then((b) => b.id as string);
  const datasetId = await (await request.get("/api/v1/datasets?q=NLST", { headers: adminH })).json().then((b) => b.datasets[0].id as string);
  // The published sample version and its volume (an admin's): every role may open them.
  const sampleVersion = await (await request.get("/api/v1/datasets/sample-ct/versions", { headers: adminH })).json().then((b) => b.versions[0].id as string);
  const sampleScan = await (await request.get(`/api/v1/dataset-versions/${sampleVersion}/scans`, { headers: adminH })).json().then((b) => b.scans[0].id as string);
  // A published OPEN release of another user (made from a real checkpoint on a run it leases itself).
  const releaseId = await openReleaseOf(request, ownerCtx);
  const mismatches: string[] = [];
  for (const [page, who] of Object.entries(PAGES)) {
    const url = page
      .replace("/runs/[id]", `/runs/${runId}`)
      .replace("/datasets/[id]/versions/[version]", `/datasets/sample-ct/versions/${sampleVersion}`)
      .replace("/scans/[scan]", `/scans/${sampleScan}`)
      .replace("/datasets/[id]", `/datasets/${datasetId}`)
      .replace("/releases/[id]", `/releases/${releaseId}`);
    for (const [label, ctx] of Object.entries(ctxFor)) {
      const res = await ctx!.get(url, { maxRedirects: 0 });
      const status = res.status();
      const location = res.headers()["location"] ?? "";
      if (status >= 500) mismatches.push(`${page} as ${label}: ${status}`);
      if (who === "public") continue;
      const allowed = label !== "anonymous" && who.includes(label as Role);
      if (allowed && status !== 200) mismatches.push(`${page} as ${label}: ${status} → ${location}, want 200`);
      if (!allowed && label === "anonymous" && !location.includes("/login")) mismatches.push(`${page} as anonymous: ${status} → ${location}, want /login`);
      if (!allowed && label !== "anonymous" && !location.includes("/forbidden")) mismatches.push(`${page} as ${label}: ${status} → ${location}, want /forbidden`);
    }
  }
  expect(mismatches).toEqual([]);
});

test("a read-only admin token neither lists nor revokes other users' tokens", async ({ request, playwright }) => {
  const admin = await createUser(request, "ADMIN");
  const adminCtx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  await apiSignIn(adminCtx, admin.email);
  const ro = (await (await adminCtx.post("/api/v1/tokens", { data: { name: "ro", scopes: ["read"] } })).json()).secret;
  const victim = await createUser(request, "RESEARCHER");
  const victimCtx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  await apiSignIn(victimCtx, victim.email);
  const vt = await (await victimCtx.post("/api/v1/tokens", { data: { name: "victim", scopes: ["read"] } })).json();
  const h = { authorization: `Bearer ${ro}` };
  expect((await request.get("/api/v1/tokens?all=true", { headers: h })).status()).toBe(403);
  expect([403, 404]).toContain((await request.delete(`/api/v1/tokens/${vt.id}`, { headers: h })).status());
  expect((await request.get("/api/v1/me", { headers: { authorization: `Bearer ${vt.secret}` } })).status()).toBe(200);
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
