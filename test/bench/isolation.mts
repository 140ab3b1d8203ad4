// npm run bench:isolation — does hostile indexing reach the people the web process serves? A real server (web
// process, job process, embedded PostgreSQL); /api/v1/health and a chart read are timed while idle, then while
// folders of hostile files are registered and indexed over and over (decompression bombs of each codec we decode,
// files whose parts disagree, a series of 2,000 tiny slices). The web process's resident memory is read from /proc.
// Targets: health p99 and read p95 within 2× idle, web RSS growth under 50 MB. BENCH_ISOLATION_SECONDS sets each
// phase's length (default 40).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { cli } from "../e2e/support/cli";
import { writeHostileFiles } from "../support/hostile-files";
import { startServer } from "../support/start-server";

const SECONDS = Number(process.env.BENCH_ISOLATION_SECONDS ?? 40);
const CHART_POINTS = 200_000;
const line = (name: string, v: number, unit: string, base: number, baseUnit: string) =>
  console.log(`bench ${name}: ${v.toFixed(1)} ${unit} (baseline ${base.toFixed(1)} ${baseUnit}, ratio ${(v / base).toFixed(3)})`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => (Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096) / 2 ** 20;

const root = mkdtempSync(path.join(os.tmpdir(), "hounsfield-isolation-"));
const hostile = await writeHostileFiles(path.join(root, "hostile"), { slices: 2000, inflatedMb: 512 });
console.error(`  hostile set: ${hostile.map((h) => h.name).join(", ")}`);
const server = await startServer({ DATASET_ROOTS: root, LOCAL_AGENT: "false" });
try {
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  const token = (await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "bench"])).trim();
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  while ((await fetch(`${server.baseUrl}/api/v1/datasets/sample-ct/versions`, { headers: { authorization: `Bearer ${token}` } })).status !== 200) await sleep(500);
  const run = (await api("POST", "/runs", { name: "isolation bench", preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] })).id as string;
  for (let off = 0; off < CHART_POINTS; off += 10_000) {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ key: "loss", step: off + i, value: Math.exp(-(off + i) / 5e4) + ((off + i) % 7919 === 0 ? 5 : 0) }));
    await api("POST", `/runs/${run}/metrics`, { points });
  }
  const web = server.process.pid!;

  /** Sequential probes for `seconds`: health every time, a chart read every fourth. */
  async function probe(seconds: number) {
    const health: number[] = [];
    const reads: number[] = [];
    let maxRss = 0;
    const until = performance.now() + seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      let t = performance.now();
      const h = await fetch(`${server.baseUrl}/api/v1/health`);
      await h.arrayBuffer();
      health.push(performance.now() - t);
      if (i % 4 === 0) {
        t = performance.now();
        const r = await fetch(`${server.baseUrl}/api/v1/runs/${run}/metrics?key=loss&width=1000`, { headers: { authorization: `Bearer ${token}`, "accept-encoding": "gzip" } });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`chart read: ${r.status}`);
        reads.push(performance.now() - t);
      }
      maxRss = Math.max(maxRss, rssMb(web));
      await sleep(10);
    }
    return { health, reads, maxRss };
  }

  await probe(5); // warm-up: route modules, connections, JIT
  const idleRss = rssMb(web);
  const idle = await probe(SECONDS);
  console.error(`  idle: ${idle.health.length} health probes, ${idle.reads.length} reads, web RSS ${idleRss.toFixed(0)} MB`);

  // The hostile folder, registered again and again (a new version each time) for the whole phase.
  let stop = false;
  let rounds = 0;
  const failures = new Map<string, number>();
  const ingest = (async () => {
    const d = (await api("POST", "/datasets", { name: "hostile", license: "internal" })).id as string;
    while (!stop) {
      const v = (await api("POST", `/datasets/${d}/versions`, { version: `r${rounds}` })).id as string;
      await api("POST", `/dataset-versions/${v}/folders`, { root, folder: "hostile" });
      for (;;) {
        const got = await api("GET", `/dataset-versions/${v}`);
        const jobs = (got.jobs ?? []) as { status: string }[];
        if (jobs.length && jobs.every((j) => j.status === "DONE" || j.status === "FAILED")) break;
        if (stop) return;
        await sleep(1000); // as the dataset page polls
      }
      const problems = (await api("GET", `/dataset-versions/${v}/problems?limit=100`)).problems as { code?: string; errorCode?: string }[];
      for (const p of problems) failures.set(p.errorCode ?? p.code ?? "?", (failures.get(p.errorCode ?? p.code ?? "?") ?? 0) + 1);
      rounds++;
    }
  })();
  const busy = await probe(SECONDS);
  stop = true;
  await ingest;
  console.error(`  under hostile indexing: ${rounds} full rounds of ${hostile.length} hostile items; errors by code ${JSON.stringify(Object.fromEntries(failures))}`);
  console.error(`  health p50 idle ${pct(idle.health, 0.5).toFixed(2)} ms, busy ${pct(busy.health, 0.5).toFixed(2)} ms; web RSS max ${busy.maxRss.toFixed(0)} MB`);
  line("isolation.health_p99", pct(busy.health, 0.99), "ms", pct(idle.health, 0.99), "ms idle");
  line("isolation.read_p95", pct(busy.reads, 0.95), "ms", pct(idle.reads, 0.95), "ms idle");
  line("isolation.web_rss_mb", Math.max(0, busy.maxRss - idleRss), "MB growth", idleRss, "MB idle");
} finally {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
}
