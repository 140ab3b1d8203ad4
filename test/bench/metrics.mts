// npm run bench:metrics — metric ingest and read speed against a real server on a fresh embedded PostgreSQL.
// Sizes follow the issue's targets; smaller runs: BENCH_INGEST_POINTS, BENCH_DB_POINTS, BENCH_RUNS.
// Needs `psql` (Debian package postgresql-client) for the COPY baseline.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { cli } from "../e2e/support/cli";
import { startServer } from "../support/start-server";

const INGEST_POINTS = Number(process.env.BENCH_INGEST_POINTS ?? 10_000_000);
const DB_POINTS = Number(process.env.BENCH_DB_POINTS ?? 50_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const CHART_KEYS = 20;
const CHART_POINTS = Number(process.env.BENCH_CHART_POINTS ?? 1_000_000);
const BATCH = 10_000;
const KEYS = 10;
const CONCURRENCY = 4;
const line = (name: string, v: number, unit: string, base: number, baseUnit: string) =>
  console.log(`bench ${name}: ${v.toFixed(v < 100 ? 1 : 0)} ${unit} (baseline ${base.toFixed(base < 100 ? 1 : 0)} ${baseUnit}, ratio ${(v / base).toFixed(3)})`);
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1];

/** Batch b holds steps [b*1000, b*1000+999] of KEYS keys: what an agent sends for 1000 logged steps. Built as a
 * string: the client shares the two cores with the server, so its own cost is kept small. */
function batch(b: number) {
  const parts: string[] = [];
  for (let s = b * (BATCH / KEYS); s < (b + 1) * (BATCH / KEYS); s++) {
    for (let k = 0; k < KEYS; k++) parts.push(`{"key":"k${k}","step":${s},"value":${Math.sin(s / 1000 + k) + (s % 9973 === 0 ? 50 : 0)},"ts":${1.7e9 + s}}`);
  }
  return `{"points":[${parts.join(",")}]}`;
}

function databaseUrl(dataDir: string) {
  const pid = readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n");
  const password = readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim();
  return `postgresql://hounsfield:${password}@127.0.0.1:${pid[3]}/hounsfield`;
}

async function copyBaseline(url: string, rows: number) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE "MetricPoint" INCLUDING ALL)`);
  await c.end();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const psql = spawn("psql", [url, "-q", "-c", `\\copy bench_copy ("keyId", step, value, ts) FROM STDIN WITH (FORMAT csv)`], { stdio: ["pipe", "inherit", "inherit"] });
    psql.on("error", reject);
    psql.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))));
    let i = 0;
    const write = () => {
      let ok = true;
      while (i < rows && ok) {
        let chunk = "";
        for (let j = 0; j < 10_000 && i < rows; j++, i++) {
          const s = Math.floor(i / KEYS);
          chunk += `${i % KEYS},${s},${Math.sin(s / 1000)},${new Date(1.7e12 + s * 1000).toISOString()}\n`;
        }
        ok = psql.stdin.write(chunk);
      }
      if (i < rows) psql.stdin.once("drain", write);
      else psql.stdin.end();
    };
    write();
  });
  return rows / ((performance.now() - t0) / 1000);
}

async function fillBackground(url: string, token: string, base: string, points: number, runs: number) {
  // The other runs' points go in through the same ingest code, in-process and in big batches, to save time.
  process.env.DATABASE_URL = url;
  const { sqlTransaction } = await import("../../lib/db/client");
  const { ingestPoints } = await import("../../lib/metrics/ingest");
  const per = Math.floor(points / runs);
  for (let r = 0; r < runs; r++) {
    const run = await createRun(base, token, `background ${r}`);
    for (let off = 0; off < per; off += 50_000) {
      const n = Math.min(50_000, per - off);
      const pts = Array.from({ length: n }, (_, i) => ({ key: "loss", step: BigInt(off + i), value: Math.cos((off + i) / 777), ts: 1.7e12 + (off + i) * 1000 }));
      await sqlTransaction((c) => ingestPoints(c, run, pts));
    }
    if (r % 50 === 0) console.error(`  background run ${r + 1}/${runs}`);
  }
}

async function settle(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t = performance.now();
  await c.query(`VACUUM (ANALYZE) "MetricPoint", "MetricRollup", "MetricKey", "Run"`);
  console.error(`  vacuumed in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  // And the fill's gigabytes of dirty pages written out now, not by a checkpoint that starts during the reads.
  const t1 = performance.now();
  await c.query("CHECKPOINT");
  console.error(`  checkpoint in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  await c.end();
}

/** A run with CHART_KEYS series of CHART_POINTS points, then the time a browser needs to draw its first chart. */
async function firstChart(url: string, token: string, srv: { baseUrl: string; adminEmail: string; adminPassword: string }) {
  process.env.DATABASE_URL = url;
  const { sqlTransaction } = await import("../../lib/db/client");
  const { ingestPoints } = await import("../../lib/metrics/ingest");
  const run = await createRun(srv.baseUrl, token, "twenty keys");
  for (let k = 0; k < CHART_KEYS; k++) {
    for (let off = 0; off < CHART_POINTS; off += 50_000) {
      const n = Math.min(50_000, CHART_POINTS - off);
      const pts = Array.from({ length: n }, (_, i) => ({ key: `metric/${String(k).padStart(2, "0")}`, step: BigInt(off + i), value: Math.exp(-(off + i) / 3e5) + Math.sin((off + i) / 50) / 20, ts: 1.7e12 + (off + i) * 1000 }));
      await sqlTransaction((c) => ingestPoints(c, run, pts));
    }
    console.error(`  chart series ${k + 1}/${CHART_KEYS}`);
  }
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${srv.baseUrl}/login`);
  await page.getByLabel("Email").fill(srv.adminEmail);
  await page.getByLabel("Password").fill(srv.adminPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    await page.goto(`${srv.baseUrl}/`);
    const t = performance.now();
    await page.goto(`${srv.baseUrl}/runs/${run}`, { waitUntil: "commit" });
    await page.locator(".recharts-line-curve").first().waitFor({ timeout: 60_000 });
    times.push(performance.now() - t);
  }
  await browser.close();
  return times.slice(1).sort((a, b) => a - b)[2]; // median of five after a warm-up
}

/** The runs list with 10,000 more runs in the table: first page, a filtered page, and a deep keyset page. */
async function runsList(url: string, token: string, base: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const owner = (await c.query(`SELECT id FROM "User" WHERE role = 'ADMIN' LIMIT 1`)).rows[0].id;
  await c.query(
    `INSERT INTO "Run" (id, name, tags, "ownerId", status, preset, config, "datasetMix", "createdAt")
     SELECT 'bench' || g, 'bench run ' || g, ARRAY['t' || (g % 50)], $1,
       (ARRAY['QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED']::"RunStatus"[])[1 + g % 5], 'base', '{}',
       jsonb_build_array(jsonb_build_object('dataset', CASE WHEN g % 3 = 0 THEN 'nlst' ELSE 'ct-rate' END, 'weight', 1)),
       now() - (g || ' seconds')::interval
     FROM generate_series(1, 10000) g`,
    [owner],
  );
  await c.query("ANALYZE \"Run\"");
  await c.end();
  const get = async (q: string) => {
    const t = performance.now();
    const res = await fetch(`${base}/api/v1/runs?${q}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { nextCursor: string | null };
    return { ms: performance.now() - t, next: body.nextCursor };
  };
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    times.push((await get("limit=50")).ms);
    times.push((await get("limit=50&status=RUNNING&tag=t7&q=run%201")).ms);
    times.push((await get("limit=50&dataset=nlst&sort=name&order=asc")).ms);
  }
  let cursor: string | null = null;
  for (let page = 0; page < 40; page++) {
    const r = await get(`limit=50&sort=name${cursor ? `&cursor=${cursor}` : ""}`);
    times.push(r.ms);
    cursor = r.next;
  }
  return p95(times);
}

/** What every API call pays before its own work: the round trip of the cheapest endpoint (one SELECT 1). */
async function healthP50(base: string) {
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t = performance.now();
    await (await fetch(`${base}/api/v1/health`)).arrayBuffer();
    if (i >= 20) times.push(performance.now() - t);
  }
  return [...times].sort((a, b) => a - b)[times.length >> 1];
}

/** The floor for it: a bare Node HTTP server answering the same JSON after the same query. */
async function bareHealthP50(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const srv = http.createServer(async (_req, res) => {
    await c.query("SELECT 1");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, version: "bench" }));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    return await healthP50(`http://127.0.0.1:${(srv.address() as { port: number }).port}`);
  } finally {
    srv.close();
    await c.end();
  }
}

async function createRun(base: string, token: string, name: string) {
  const res = await fetch(`${base}/api/v1/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] }),
  });
  if (res.status !== 201) throw new Error(`create run: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const server = await startServer();
try {
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  const token = (await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "bench"])).trim();
  const url = databaseUrl(server.dataDir);
  // Runs train on published data: the sample dataset is published shortly after the server starts.
  while ((await fetch(`${server.baseUrl}/api/v1/datasets/sample-ct/versions`, { headers: { authorization: `Bearer ${token}` } })).status !== 200) await new Promise((r) => setTimeout(r, 500));
  const runId = await createRun(server.baseUrl, token, "ingest bench");

  const batches = Math.ceil(INGEST_POINTS / BATCH);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches) {
        const b = next++;
        const res = await fetch(`${server.baseUrl}/api/v1/runs/${runId}/metrics`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: batch(b) });
        if (res.status !== 200) throw new Error(`batch ${b}: ${res.status} ${await res.text()}`);
        if (b % 100 === 0) console.error(`  ingest batch ${b}/${batches}`);
      }
    }),
  );
  const ingestRate = (batches * BATCH) / ((performance.now() - t0) / 1000);
  const copyRate = await copyBaseline(url, batches * BATCH);
  line("metrics.ingest", ingestRate, "points/s", copyRate, "points/s psql COPY");

  await fillBackground(url, token, server.baseUrl, Math.max(0, DB_POINTS - batches * BATCH), RUNS - 1);
  // Reads are measured on a settled database, as a server's is once it has run a while: otherwise autovacuum works
  // through the fill's tens of millions of new rows during the measurement (one run's read p95: 26 ms, against 16).
  await settle(url);
  const seriesPoints = batches * BATCH / KEYS;
  const read = async (q: string) => {
    const t = performance.now();
    const res = await fetch(`${server.baseUrl}/api/v1/runs/${runId}/metrics?key=k0&width=1000${q}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`read: ${res.status}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await read(""); // warm-up
  const full: number[] = [];
  const zoom: number[] = [];
  // 200 reads: the p95 is then the 10th slowest, not the 4th, so one stall of the machine (GC, a neighbour on the
  // host) doesn't decide it.
  for (let i = 0; i < 100; i++) {
    full.push(await read(""));
    const from = Math.floor(Math.random() * seriesPoints * 0.99);
    zoom.push(await read(`&from=${from}&to=${from + Math.floor(seriesPoints / 100)}`));
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const keyId = (await c.query(`SELECT id FROM "MetricKey" WHERE "runId" = $1 AND key = 'k0'`, [runId])).rows[0].id;
  const plain: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    await c.query({ text: `SELECT step, value FROM "MetricPoint" WHERE "keyId" = $1 ORDER BY step`, values: [keyId], rowMode: "array" });
    plain.push(performance.now() - t);
  }
  const total = (await c.query(`SELECT count(*)::bigint AS n FROM "MetricPoint"`)).rows[0].n;
  await c.end();
  console.error(`  database: ${total} points, series k0: ${seriesPoints} points`);
  const plainP95 = p95(plain.slice(1));
  line("metrics.read_p95", p95([...full, ...zoom]), "ms", plainP95, "ms plain SELECT of the raw series");
  line("metrics.read_p95_full_range", p95(full), "ms", plainP95, "ms plain SELECT");
  line("metrics.read_p95_zoom_1pct", p95(zoom), "ms", plainP95, "ms plain SELECT");
  line("api.health_p50", await healthP50(server.baseUrl), "ms", await bareHealthP50(url), "ms bare node:http + pg SELECT 1");
  line("metrics.first_chart", await firstChart(url, token, server), "ms", 1500, "ms target");
  line("runs.list_p95_10k", await runsList(url, token, server.baseUrl), "ms", 100, "ms target");
} finally {
  const { disconnectDb } = await import("../../lib/db/client");
  await disconnectDb();
  await server.stop();
}
