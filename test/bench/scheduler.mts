// npm run bench:scheduler — the scheduler under many agents, against a real server on a fresh embedded PostgreSQL.
// Simulated agents speak the agent's HTTP protocol (register, claim, heartbeat with lease renewals, metric batches
// under their epoch) without training anything, so the figures are the server's. Smaller runs: BENCH_AGENTS,
// BENCH_LOAD_SECONDS, BENCH_UPLOAD_BYTES, BENCH_CLAIM_RUNS.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Upload } from "tus-js-client";
import { cli } from "../e2e/support/cli";
import { startServer } from "../support/start-server";

const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const CLAIM_RUNS = Number(process.env.BENCH_CLAIM_RUNS ?? AGENTS); // one run per agent: all of them carry load afterwards
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 300);
const UPLOAD_BYTES = Number(process.env.BENCH_UPLOAD_BYTES ?? 2 * 2 ** 30);
const POLL_MS = 1000; // how often an idle agent asks for work (workers/agent/agent.ts)
const HEARTBEAT_MS = 10_000;
const INGEST_EVERY_MS = 2000;

const line = (name: string, v: number, unit: string, base: number, baseUnit: string) =>
  console.log(`bench ${name}: ${v.toFixed(v < 100 ? 1 : 0)} ${unit} (baseline ${base.toFixed(base < 100 ? 1 : 0)} ${baseUnit}, ratio ${(v / base).toFixed(3)})`);
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * q) - 1)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = await startServer();
try {
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  const admin = { authorization: `Bearer ${(await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "bench"])).trim()}` };
  const call = async (token: Record<string, string>, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}/api/v1${url}`, { method, headers: { ...token, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  while ((await call(admin, "GET", "/datasets/sample-ct")).status !== 200) await sleep(500);

  // 100 agents, each its own worker token and worker.
  const agents = await Promise.all(
    Array.from({ length: AGENTS }, async (_, i) => {
      const secret = (await call(admin, "POST", "/tokens", { name: `agent ${i}`, scopes: ["worker"] })).body.secret as string;
      const auth = { authorization: `Bearer ${secret}` };
      const id = (await call(auth, "POST", "/workers", { name: `sim-${i}`, instanceId: `sim-agent-${i}` })).body.id as string;
      return { auth, id, instanceId: `sim-agent-${i}`, lease: null as null | { runId: string; epoch: number }, step: 0 };
    }),
  );
  console.error(`  ${AGENTS} agents registered`);

  // claim_p95: runs queued one every 250 ms while every idle agent polls once a second, staggered.
  const queuedAt = new Map<string, number>();
  const claimMs: number[] = [];
  let claiming = true;
  const pollers = agents.map(async (a, i) => {
    await sleep((i / AGENTS) * POLL_MS);
    while (claiming && !a.lease) {
      const r = await call(a.auth, "POST", `/workers/${a.id}/claim`, { instanceId: a.instanceId });
      if (r.body?.run) {
        a.lease = { runId: r.body.run.runId, epoch: r.body.run.epoch };
        claimMs.push(performance.now() - queuedAt.get(a.lease.runId)!);
        await call(a.auth, "POST", `/runs/${a.lease.runId}/transitions`, { to: "RUNNING", reason: "bench", epoch: a.lease.epoch });
        break;
      }
      await sleep(POLL_MS);
    }
  });
  for (let i = 0; i < CLAIM_RUNS; i++) {
    const t = performance.now();
    const r = await call(admin, "POST", "/runs", { name: `bench ${i}`, preset: "tiny", gpus: 0, datasetMix: [{ dataset: "sample-ct", weight: 1 }] });
    queuedAt.set(r.body.id, t);
    await sleep(250);
  }
  while (claimMs.length < CLAIM_RUNS) await sleep(100);
  claiming = false;
  await Promise.all(pollers);
  line("scheduler.claim_p95", pct(claimMs, 0.95), "ms", POLL_MS, "ms agent poll interval");

  // load_p99: every agent with a lease heartbeats every 10 s and sends 100 points every 2 s, for LOAD_SECONDS.
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + LOAD_SECONDS * 1000;
  const timed = async (token: Record<string, string>, url: string, body: unknown) => {
    const t = performance.now();
    const r = await call(token, "POST", url, body).catch(() => ({ status: 0, body: null }));
    latencies.push(performance.now() - t);
    if (r.status !== 200) errors++;
  };
  await Promise.all(
    agents.filter((a) => a.lease).map(async (a, i) => {
      await sleep((i / AGENTS) * INGEST_EVERY_MS);
      let nextBeat = performance.now();
      while (performance.now() < until) {
        if (performance.now() >= nextBeat) {
          nextBeat += HEARTBEAT_MS;
          await timed(a.auth, `/workers/${a.id}/heartbeat`, { instanceId: a.instanceId, runs: [a.lease], samples: [{ gpu: 0, util: 97, memUsed: 60 * 2 ** 30, memTotal: 80 * 2 ** 30 }] });
        }
        const points = [];
        for (let s = 0; s < 10; s++, a.step++) for (let k = 0; k < 10; k++) points.push({ key: `k${k}`, step: a.step, value: Math.sin(a.step / 100 + k) });
        await timed(a.auth, `/runs/${a.lease!.runId}/metrics`, { points, epoch: a.lease!.epoch });
        await sleep(INGEST_EVERY_MS);
      }
    }),
  );
  line("scheduler.load_p99", pct(latencies, 0.99), "ms", pct(latencies, 0.5), `ms p50; ${latencies.length} calls, ${errors} errors`);
  if (errors) console.error(`  ${errors} calls failed`);

  // upload: a checkpoint of UPLOAD_BYTES through tus, against cp of the same file on the same disk.
  const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-upload-"));
  try {
    const file = path.join(dir, "checkpoint.tar");
    const fd = openSync(file, "w");
    const block = Buffer.alloc(64 * 2 ** 20);
    for (let i = 0; i < block.length; i += 4096) block.writeUInt32LE(i * 2654435761 >>> 0, i);
    for (let written = 0; written < UPLOAD_BYTES; written += block.length) writeSync(fd, block, 0, Math.min(block.length, UPLOAD_BYTES - written));
    closeSync(fd);
    const sha256 = await new Promise<string>((resolve) => {
      const h = createHash("sha256");
      createReadStream(file).on("data", (d) => h.update(d)).on("end", () => resolve(h.digest("hex")));
    });
    let t = performance.now();
    execFileSync("cp", [file, path.join(dir, "copy.tar")]);
    const cpMBs = statSync(file).size / 2 ** 20 / ((performance.now() - t) / 1000);
    rmSync(path.join(dir, "copy.tar"));

    const a = agents.find((x) => x.lease)!;
    const pid = server.process.pid!;
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
    const idle = rss();
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
    // Keep the lease alive through a long upload.
    const beat = setInterval(() => void call(a.auth, "POST", `/workers/${a.id}/heartbeat`, { instanceId: a.instanceId, runs: [a.lease] }), HEARTBEAT_MS);
    t = performance.now();
    await new Promise<void>((resolve, reject) => {
      const u = new Upload(createReadStream(file), {
        endpoint: `${server.baseUrl}/api/v1/uploads`,
        uploadSize: statSync(file).size,
        chunkSize: 64 * 2 ** 20,
        metadata: { runId: a.lease!.runId, epoch: String(a.lease!.epoch), step: "1000", sha256 },
        headers: a.auth,
        storeFingerprintForResuming: false,
        retryDelays: [],
        onSuccess: () => resolve(),
        onError: reject,
      });
      u.start();
    });
    const uploadMBs = UPLOAD_BYTES / 2 ** 20 / ((performance.now() - t) / 1000);
    clearInterval(sampler);
    clearInterval(beat);
    const stored = (await call(admin, "GET", `/runs/${a.lease!.runId}/checkpoints`)).body.checkpoints;
    if (stored[0]?.sha256 !== sha256) throw new Error("the uploaded checkpoint was not stored with its sha256");
    line("scheduler.upload", uploadMBs, "MB/s", cpMBs, "MB/s cp on the same disk");
    line("scheduler.upload_peak_mb", (peak - idle) / 2 ** 20, "MB", 300, "MB target");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  await server.stop();
}
