// The embedded PostgreSQL dying under a running server: it comes back by itself, answers meanwhile are 503s
// (never 500s), SIGTERM still stops everything, and when it can't come back the server exits instead of
// serving without a database.
import { readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startServer, type StartedServer } from "../support/start-server";

function postmasterPid(dataDir: string) {
  return Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
}

async function health(base: string) {
  return fetch(`${base}/api/v1/health`).then((r) => r.status).catch(() => 0);
}

function exited(s: StartedServer, ms: number) {
  return new Promise<number | null>((resolve, reject) => {
    if (s.process.exitCode !== null) return resolve(s.process.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${s.output().slice(-2000)}`)), ms);
    s.process.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test("kill -9 of the embedded PostgreSQL: the server restarts it and recovers, and SIGTERM still stops it", async () => {
  test.setTimeout(180_000);
  const s = await startServer();
  try {
    const pid = postmasterPid(s.dataDir);
    process.kill(pid, "SIGKILL");
    const seen = new Set<number>();
    const deadline = Date.now() + 60_000;
    let status = 0;
    // Backends of a killed postmaster can still answer a query or two on connections already open, so "healthy"
    // counts only once a new postmaster runs.
    const restarted = () => {
      try {
        return postmasterPid(s.dataDir) !== pid;
      } catch {
        return false;
      }
    };
    while (Date.now() < deadline && !(status === 200 && restarted())) {
      status = await health(s.baseUrl);
      seen.add(status);
      if (status !== 200 || !restarted()) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status, s.output().slice(-2000)).toBe(200);
    expect([...seen].filter((x) => x >= 500 && x !== 503)).toEqual([]);
    expect(postmasterPid(s.dataDir)).not.toBe(pid);
    // Writes work again through the new connection pool.
    const reg = await fetch(`${s.baseUrl}/api/v1/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "after-restart@example.org", name: "After", password: "long enough pw" }) });
    expect(reg.status).toBe(202);
    s.process.kill("SIGTERM");
    expect(await exited(s, 20_000)).toBe(0);
    expect(() => process.kill(postmasterPid(s.dataDir), 0)).toThrow();
  } finally {
    await s.stop();
  }
});

test("a PostgreSQL that can't come back makes the server exit non-zero instead of serving without it", async () => {
  test.setTimeout(180_000);
  const s = await startServer();
  try {
    const pgDir = path.join(s.dataDir, "postgres");
    const pid = postmasterPid(s.dataDir);
    renameSync(pgDir, `${pgDir}.gone`);
    process.kill(pid, "SIGKILL");
    expect(await exited(s, 60_000)).toBe(1);
    expect(s.output()).toMatch(/could not be restarted/);
  } finally {
    await s.stop();
  }
});
