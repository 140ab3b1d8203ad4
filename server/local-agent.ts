// The local CPU worker `npm start` runs next to the dashboard (LOCAL_AGENT=false turns it off) and the sample
// dataset it trains on, so a fresh install can train a run from the UI. It is the real agent in its own process, talking HTTP to this server
// with a worker token of the first administrator; the token's secret is kept in the data folder (mode 600),
// only its hash in the database.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDir } from "../lib/env";
import { localAgentEnvironment } from "../lib/workers/agent-environment";
import { PROJECT_ROOT } from "./build";

const SYSTEM = { actor: { kind: "system" as const, label: "local worker" } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function firstAdmin() {
  const { db } = await import("../lib/db/client");
  return db.user.findFirst({ where: { role: "ADMIN", disabled: false }, orderBy: { createdAt: "asc" }, select: { id: true, email: true } });
}

async function sampleExists() {
  const { db } = await import("../lib/db/client");
  const { SAMPLE_SLUG } = await import("../lib/datasets/sample-file");
  return !!(await db.dataset.findUnique({ where: { slug: SAMPLE_SLUG }, select: { id: true } }).catch(() => null));
}

/** The local worker's token: the stored one while it still works, else a new one. */
async function workerToken(admin: { id: string; email: string }) {
  const { db } = await import("../lib/db/client");
  const { hashSecret } = await import("../lib/auth/secret-token");
  const file = path.join(dataDir(), "local-agent-token");
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    const row = await db.apiToken.findUnique({ where: { hash: hashSecret(secret) }, select: { revokedAt: true, expiresAt: true } });
    if (row && !row.revokedAt && (!row.expiresAt || row.expiresAt > new Date())) return secret;
  }
  const { createToken } = await import("../lib/services/tokens/create-token");
  const token = await createToken(SYSTEM, { name: "local worker (npm start)", scopes: ["worker"] }, admin.email);
  writeFileSync(file, token.secret, { mode: 0o600 });
  return token.secret;
}

/** Once an administrator exists (with `agent`), runs the local worker. The sample dataset it trains on is added by
 * the job process. */
export function startLocalAgent(port: number, log: (line: string) => void, opts: { agent: boolean }) {
  let child: ChildProcess | undefined;
  let stopping = false;
  const loop = async () => {
    if (!opts.agent) return;
    let admin = await firstAdmin();
    if (!admin) log("local worker: starts once an administrator exists");
    while (!admin && !stopping) {
      await sleep(3000);
      admin = await firstAdmin().catch(() => null);
    }
    if (!admin || stopping) return;
    // The sample dataset (added by the job process once an admin exists) comes first: a worker that shows up before
    // there is anything to train on invites a run that can't be queued.
    for (let waited = 0; waited < 120 && !stopping && !(await sampleExists()); waited++) await sleep(500);
    for (let restarts = 0; !stopping && restarts < 5; restarts++) {
      const token = await workerToken(admin);
      const bin = path.join(PROJECT_ROOT, "bin", "hounsfield.mjs");
      const args = [bin, "agent", "--server", `http://127.0.0.1:${port}`, "--name", "local", "--work-dir", path.join(dataDir(), "agent")];
      child = spawn(process.execPath, args, { env: localAgentEnvironment(process.env, token) as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
      const relay = (b: Buffer) => b.toString().trimEnd().split("\n").forEach((l) => log(`local worker: ${l.replace(/^\[agent\] /, "")}`));
      child.stdout?.on("data", relay);
      child.stderr?.on("data", relay);
      const code = await new Promise<number | null>((r) => child!.on("exit", r));
      if (stopping) return;
      log(`local worker exited (${code}); restarting`);
      await sleep(2000 * (restarts + 1));
    }
  };
  void loop().catch((e) => log(`local worker: ${(e as Error).message}`));
  return {
    /** SIGTERM: the agent hands its runs back to the queue, then exits. */
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null) return;
      c.kill("SIGTERM");
      await Promise.race([new Promise((r) => c.on("exit", r)), sleep(12_000)]);
      if (c.exitCode === null) c.kill("SIGKILL");
    },
  };
}
