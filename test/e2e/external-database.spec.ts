// DATABASE_URL pointing at Debian's PostgreSQL 15, shared by two app processes (two replicas behind a balancer):
// a session made on one works on the other and ends on both, and the lease sweep changes each run once.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { startDebianPostgres } from "../support/debian-postgres";
import { startServer, type StartedServer } from "../support/start-server";
import { cli } from "./support/cli";

test("two replicas on an external PostgreSQL 15: shared sessions, one sweep per expired lease", async ({ playwright }) => {
  test.setTimeout(300_000);
  const database = await startDebianPostgres();
  const servers: StartedServer[] = [];
  try {
    expect(database.version).toMatch(/^15\./);
    const shared = { DATABASE_URL: database.url, NEXTAUTH_SECRET: randomBytes(24).toString("hex"), LEASE_SWEEP_SECONDS: "0.5" };
    const email = "replica-admin@example.org";
    const password = "replica admin password";
    // The CLI migrates the external database and makes the admin; neither replica starts anything.
    await cli(["admin", "create", "--email", email, "--password-stdin"], `${password}\n`, shared);
    servers.push(await startServer(shared, { withAdmin: false }), await startServer(shared, { withAdmin: false }));
    const [a, b] = servers;
    for (const s of servers) expect(s.output()).not.toMatch(/embedded PostgreSQL/);

    // Signed in on A; the same browser (cookies are per host, not per port) is known to B.
    const browser = await playwright.request.newContext({ baseURL: a.baseUrl });
    const { csrfToken } = await (await browser.get("/api/auth/csrf")).json();
    expect((await browser.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } })).ok()).toBe(true);
    expect((await browser.get(`${a.baseUrl}/api/v1/me`)).status()).toBe(200);
    const onB = await browser.get(`${b.baseUrl}/api/v1/me`);
    expect(onB.status()).toBe(200);
    expect((await onB.json()).email).toBe(email);

    // Twenty running runs whose leases expired a minute ago; both replicas sweep every half second.
    const token = (await cli(["token", "create", "--email", email, "--scopes", "admin", "--name", "replicas"], undefined, shared)).trim();
    // Runs train on the sample dataset, which a job process adds shortly after start.
    await expect.poll(async () => (await fetch(`${a.baseUrl}/api/v1/datasets/sample-ct`, { headers: { authorization: `Bearer ${token}` } })).status, { timeout: 60_000 }).toBe(200);
    const runIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${(i % 2 ? b : a).baseUrl}/api/v1/runs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: `replica run ${i}`, preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }], retry: { maxAttempts: 1, resumeFromCheckpoint: true } }) });
      expect(r.status).toBe(201);
      runIds.push((await r.json()).id);
    }
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    const worker = (await c.query(`INSERT INTO "Worker" (id, name) VALUES ($1, 'gone') RETURNING id`, [`w${Date.now()}`])).rows[0].id;
    await c.query(`UPDATE "Run" SET status = 'RUNNING' WHERE id = ANY($1)`, [runIds]);
    await c.query(
      `INSERT INTO "Lease" (id, "runId", "workerId", epoch, "expiresAt") SELECT 'l' || id, id, $2, 1, (now() AT TIME ZONE 'UTC') - interval '1 minute' FROM "Run" WHERE id = ANY($1)`,
      [runIds, worker],
    );
    const deadline = Date.now() + 30_000;
    let queued = 0;
    while (Date.now() < deadline && queued < runIds.length) {
      queued = Number((await c.query(`SELECT count(*) FROM "Run" WHERE id = ANY($1) AND status = 'QUEUED'`, [runIds])).rows[0].count);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(queued).toBe(runIds.length);
    await new Promise((r) => setTimeout(r, 1500)); // more sweeps from both replicas: they must find nothing left
    const events = await c.query(`SELECT "runId", "to" FROM "RunEvent" WHERE "runId" = ANY($1) AND "to" IN ('LOST', 'QUEUED') AND reason <> 'created'`, [runIds]);
    await c.end();
    for (const id of runIds) {
      expect(events.rows.filter((e) => e.runId === id).map((e) => e.to).sort()).toEqual(["LOST", "QUEUED"]);
    }
    const swept = servers.map((s) => [...s.output().matchAll(/lease sweep: (\d+) run\(s\) marked LOST/g)].reduce((n, m) => n + Number(m[1]), 0));
    expect(swept[0] + swept[1]).toBe(runIds.length);

    // Signing out on B ends the session for A too, even for someone who kept a copy of the cookie.
    const kept = (await browser.storageState()).cookies;
    const csrf = (await (await browser.get(`${b.baseUrl}/api/auth/csrf`)).json()).csrfToken;
    expect((await browser.post(`${b.baseUrl}/api/auth/signout`, { form: { csrfToken: csrf, json: "true" } })).ok()).toBe(true);
    const copy = await playwright.request.newContext({ baseURL: a.baseUrl, storageState: { cookies: kept, origins: [] } });
    expect((await copy.get("/api/v1/me")).status()).toBe(401);
    await copy.dispose();
    await browser.dispose();
  } finally {
    for (const s of servers) await s.stop();
    database.stop();
  }
});
