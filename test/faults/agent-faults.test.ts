// The whole path under faults: a real server (embedded PostgreSQL), real agents in their own processes, the real
// trainer on the sample CT. Leases are short here (3 s, swept every 0.5 s) so a lost agent is noticed in seconds;
// the defaults (60 s, swept every 15 s) give the same sequence within 90 s.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../e2e/support/cli";
import { startServer, type StartedServer } from "../support/start-server";

let server: StartedServer;
let admin: Record<string, string>;
let workerToken: string;
const workDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-agent-"));
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-cache-"));
const agents: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown, headers = admin): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.baseUrl}/api/v1${url}`, { method, headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function startAgent(name: string) {
  const child = spawn(process.execPath, ["bin/hounsfield.mjs", "agent", "--server", server.baseUrl, "--name", name, "--work-dir", workDir], {
    env: { ...process.env, HOUNSFIELD_AGENT_TOKEN: workerToken, HOUNSFIELD_CACHE_DIR: cacheDir, OMP_NUM_THREADS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  agents.push(child);
  return { child, output: () => out };
}

const HYPER = { steps: 40, checkpointEvery: 10, logEvery: 1, batchSize: 4, learningRate: 1e-3, warmupSteps: 5 };
const newRun = async (name: string) => {
  const r = await api<{ id: string }>("POST", "/runs", { name, preset: "tiny", gpus: 0, datasetMix: [{ dataset: "sample-ct", weight: 1 }], hyperparameters: HYPER, retry: { maxAttempts: 2, resumeFromCheckpoint: true } });
  expect(r.status).toBe(201);
  return r.body.id;
};
type Run = { status: string; events: { to: string; reason: string; at: string }[] };
const getRun = async (id: string) => (await api<Run>("GET", `/runs/${id}`)).body;
const loss = async (id: string) => {
  const r = await api<{ points: { step: number[]; y: (number | null)[] }; rawPoints: number; exact: boolean }>("GET", `/runs/${id}/metrics?key=loss&width=2000`);
  return r.body;
};

beforeAll(async () => {
  server = await startServer({ LEASE_TTL_SECONDS: "3", LEASE_SWEEP_SECONDS: "0.5", HEARTBEAT_SECONDS: "1" });
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  admin = { authorization: `Bearer ${(await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "faults"])).trim()}` };
  const t = await api<{ secret: string }>("POST", "/tokens", { name: "agent", scopes: ["worker"] });
  workerToken = t.body.secret;
  // The sample dataset appears once an admin exists.
  await until("the sample dataset", async () => (await api("GET", "/datasets/sample-ct")).status === 200, 30_000);
}, 300_000);

afterAll(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill("SIGKILL");
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("agent faults", () => {
  let reference: { step: number[]; y: (number | null)[] };

  it("an agent takes a queued run, trains it on the sample CT and reports SUCCEEDED; the loss falls and the log arrives", async () => {
    const a = startAgent("a");
    const id = await newRun("uninterrupted");
    await until("SUCCEEDED", async () => {
      const r = await getRun(id);
      if (["FAILED", "CANCELLED"].includes(r.status)) throw new Error(`run ${r.status}: ${r.events.at(-1)?.reason}\n${a.output()}`);
      return r.status === "SUCCEEDED";
    });
    const series = await loss(id);
    expect(series.exact).toBe(true);
    expect(series.points.step).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const y = series.points.y as number[];
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(y.slice(-5))).toBeLessThan(mean(y.slice(0, 5)) * 0.7);
    reference = series.points;
    const logs = await api<{ lines: { text: string }[] }>("GET", `/runs/${id}/logs`);
    expect(logs.body.lines.length).toBeGreaterThan(0);
    const workers = await api<{ workers: { name: string; status: string }[] }>("GET", "/workers");
    expect(workers.body.workers.find((w) => w.name === "a")?.status).toMatch(/idle|busy/);
    a.child.kill("SIGTERM");
    await until("agent a to stop", async () => a.child.exitCode !== null, 20_000);
  }, 180_000);

  it("kill -9 the agent mid-run: LOST, requeued, resumed by a second agent from the last checkpoint; the series equals the uninterrupted one", async () => {
    const a = startAgent("doomed");
    const id = await newRun("interrupted");
    // Past the step-10 checkpoint, before the end.
    await until("steps past the first checkpoint", async () => (await loss(id)).rawPoints >= 14, 120_000);
    a.child.kill("SIGKILL");
    const killedAt = Date.now();
    const lost = await until("LOST", async () => (await getRun(id)).events.find((e) => e.to === "LOST"), 60_000);
    expect(new Date(lost.at).getTime() - killedAt).toBeLessThan(90_000);
    const b = startAgent("rescuer");
    await until("SUCCEEDED after the resume", async () => {
      const r = await getRun(id);
      if (["FAILED", "CANCELLED"].includes(r.status)) throw new Error(`run ${r.status}: ${r.events.at(-1)?.reason}\n${b.output()}`);
      return r.status === "SUCCEEDED";
    });
    const events = (await getRun(id)).events.map((e) => e.to);
    expect(events).toEqual(["QUEUED", "STARTING", "RUNNING", "LOST", "QUEUED", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect((await getRun(id)).events.find((e, i) => e.to === "RUNNING" && i > 3)?.reason).toMatch(/resuming/);
    const series = await loss(id);
    // No point lost, none doubled, and the resumed steps are the same numbers an uninterrupted run logs.
    expect(series.rawPoints).toBe(40);
    expect(series.points.step).toEqual(reference.step);
    expect(series.points.y).toEqual(reference.y);
    b.child.kill("SIGTERM");
  }, 240_000);

  it("an agent stopped with SIGTERM hands its run back as PREEMPTED, and it is queued again", async () => {
    const a = startAgent("preempted");
    const id = await newRun("preempted");
    await until("RUNNING", async () => (await getRun(id)).status === "RUNNING", 120_000);
    a.child.kill("SIGTERM");
    await until("agent to exit", async () => a.child.exitCode !== null, 30_000);
    const r = await getRun(id);
    expect(r.events.map((e) => e.to).slice(-2)).toEqual(["PREEMPTED", "QUEUED"]);
    expect(r.status).toBe("QUEUED");
    await api("POST", `/runs/${id}/cancel`);
  }, 180_000);

  it("cancelling from the dashboard stops the trainer within a heartbeat or two; the run stays CANCELLED", async () => {
    const a = startAgent("cancel");
    const id = await newRun("to cancel");
    await until("RUNNING", async () => (await getRun(id)).status === "RUNNING", 120_000);
    expect((await api("POST", `/runs/${id}/cancel`)).status).toBe(200);
    await until("the agent to stop the trainer", async () => /run \S+: cancelled/.test(a.output()), 30_000);
    expect((await getRun(id)).status).toBe("CANCELLED");
    a.child.kill("SIGTERM");
  }, 180_000);
});
