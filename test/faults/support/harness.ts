// What the fault tests share: a server's API with an admin token, agents started as real processes, and polling.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { cli } from "../../e2e/support/cli";
import { startServer, type StartedServer } from "../../support/start-server";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // A refused connection (the server is down on purpose) is "not yet"; anything else is a failure.
    const v = await fn().catch((e) => {
      if (e instanceof TypeError) return undefined;
      throw e;
    });
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export type Run = { status: string; events: { to: string; reason: string; at: string }[] };
export type Series = { points: { step: number[]; y: (number | null)[] }; rawPoints: number; exact: boolean };

export async function harness(server: StartedServer) {
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  const admin = { authorization: `Bearer ${(await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "faults"])).trim()}` };
  const workDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-agent-"));
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-cache-"));
  const agents: ChildProcess[] = [];

  async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${server.baseUrl}/api/v1${url}`, { method, headers: { ...admin, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }
  // The sample dataset appears once an admin exists.
  await until("the sample dataset", async () => (await api("GET", "/datasets/sample-ct")).status === 200, 30_000);

  return {
    api,
    /** The admin token's Authorization header value, for clients that make their own requests. */
    adminAuth: () => admin.authorization,
    /** An agent as on a machine of its own: its own worker token (so a worker of its own) and its own work folder.
     * `token`: start it with this worker token instead (two agents sharing one). */
    async startAgent(name: string, extra: string[] = [], opts: { env?: Record<string, string>; token?: string; workDir?: string } = {}) {
      const dir = opts.workDir ?? mkdtempSync(path.join(workDir, `${name}-`));
      const token = opts.token ?? (await api<{ secret: string }>("POST", "/tokens", { name: `agent ${name}`, scopes: ["worker"] })).body.secret;
      const child = spawn(process.execPath, ["bin/hounsfield.mjs", "agent", "--server", server.baseUrl, "--name", name, "--work-dir", dir, ...extra], {
        env: { ...process.env, ...opts.env, HOUNSFIELD_AGENT_TOKEN: token, HOUNSFIELD_CACHE_DIR: cacheDir, OMP_NUM_THREADS: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      child.stderr!.on("data", (d) => (out += d));
      agents.push(child);
      return { child, output: () => out, dir, token };
    },
    /** An agent in front of a Slurm cluster (its env names the cluster's slurm.conf). */
    startSlurmAgent(name: string, slurmEnv: Record<string, string>) {
      return this.startAgent(name, ["--executor", "slurm"], { env: slurmEnv });
    },
    async newRun(name: string, hyper: Record<string, unknown>, extra: Record<string, unknown> = {}) {
      const r = await api<{ id: string }>("POST", "/runs", { name, preset: "tiny", gpus: 0, datasetMix: [{ dataset: "sample-ct", weight: 1 }], hyperparameters: hyper, retry: { maxAttempts: 2, resumeFromCheckpoint: true }, ...extra });
      expect(r.status).toBe(201);
      return r.body.id;
    },
    getRun: async (id: string) => (await api<Run>("GET", `/runs/${id}`)).body,
    loss: async (id: string) => (await api<Series>("GET", `/runs/${id}/metrics?key=loss&width=2000`)).body,
    /** Waits for a terminal status; a failure shows the run's last reason and the agent's output. */
    async finished(id: string, agentOutput: () => string, timeoutMs = 180_000) {
      return until("the run to finish", async () => {
        const r = (await api<Run>("GET", `/runs/${id}`)).body;
        if (["FAILED", "CANCELLED"].includes(r.status)) throw new Error(`run ${r.status}: ${r.events.at(-1)?.reason}\n${agentOutput()}`);
        return r.status === "SUCCEEDED" && r;
      }, timeoutMs);
    },
    workDir,
    async close() {
      for (const a of agents) if (a.exitCode === null) a.kill("SIGKILL");
      rmSync(workDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof harness>>;

/** The server of one test file (with `env`) and its harness, started before the file's tests and stopped after
 * them. A test that restarts the server assigns the new one to `server`. */
export function faultServer(env: Record<string, string>) {
  const fault = {} as { server: StartedServer; h: Harness };
  beforeAll(async () => {
    fault.server = await startServer(env);
    fault.h = await harness(fault.server);
  }, 300_000);
  afterAll(async () => {
    await fault.h?.close();
    await fault.server?.stop();
  });
  return fault;
}
