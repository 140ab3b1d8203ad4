// The local agent `npm start` runs. Runs never see the server's secrets: with secrets in the server's environment
// and a real run, the environments of the live agent and trainer processes, read from /proc, hold none of them. And
// killed, it is restarted as the same agent (its work dir), not refused as a second one.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { faultServer, until } from "./support/harness";

const SECRETS = {
  NEXTAUTH_SECRET: "nextauth-secret-of-the-scrub-test-7f3a",
  OIDC_CLIENT_ID: "hounsfield-scrub-test",
  OIDC_CLIENT_SECRET: "oidc-client-secret-of-the-scrub-test-91c2",
  HOUNSFIELD_TOKEN: "hfk_admin-token-of-the-scrub-test-5d10",
  SMTP_PASSWORD: "smtp-password-of-the-scrub-test-22ab",
  STORAGE_ACCESS_KEY: "storage-key-of-the-scrub-test-0c4e",
};
const fault = faultServer({ LOCAL_AGENT: "true", HEARTBEAT_SECONDS: "1", ...SECRETS });

const pids = (pattern: string) => (spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" }).stdout ?? "").split("\n").filter(Boolean).map(Number);
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);

describe("the local agent", () => {
  it("the local agent and the trainer it starts hold no server secret, database address or token but the agent's own", async () => {
    const port = new URL(fault.server.baseUrl).port;
    const agentPattern = `hounsfield.mjs agent --server http://127.0.0.1:${port}`;
    const [agent] = await until("the local agent", async () => pids(agentPattern).length > 0 && pids(agentPattern), 60_000);
    const id = await fault.h.newRun("secrets", { steps: 2000, checkpointEvery: 1000, logEvery: 1, batchSize: 2, learningRate: 1e-3, warmupSteps: 5 });
    const trainers = await until("the trainer", async () => {
      const found = pids(`hounsfield_trainer train .*runs/${id}`);
      return found.length > 0 && found;
    }, 120_000);
    const workerToken = readFileSync(path.join(fault.server.dataDir, "local-agent-token"), "utf8").trim();

    const agentEnv = environ(agent);
    expect(agentEnv).toContain(`HOUNSFIELD_AGENT_TOKEN=${workerToken}`);
    for (const pid of [agent, ...trainers]) {
      const env = environ(pid);
      const names = env.map((e) => e.split("=")[0]);
      const text = env.join("\n");
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/postgres(ql)?:\/\//);
      expect(names.filter((n) => /SECRET|TOKEN|PASS|KEY|DATABASE|OIDC|NEXTAUTH/.test(n) && !(pid === agent && n === "HOUNSFIELD_AGENT_TOKEN"))).toEqual([]);
      if (pid !== agent) expect(text).not.toContain(workerToken);
    }
    expect((await fault.h.api("POST", `/runs/${id}/cancel`)).status).toBe(200);
  }, 240_000);

  it("killed outright, it is started again by the server and attaches as the same worker", async () => {
    const port = new URL(fault.server.baseUrl).port;
    const agentPattern = `hounsfield.mjs agent --server http://127.0.0.1:${port}`;
    const registered = () => [...fault.server.output().matchAll(/local worker: registered as worker (\S+)/g)].map((m) => m[1]);
    const before = registered();
    expect(before.length).toBeGreaterThan(0);
    const [agent] = pids(agentPattern);
    process.kill(agent, "SIGKILL");
    await until("the restarted agent to register", async () => registered().length > before.length, 60_000);
    expect(new Set(registered())).toEqual(new Set([before[0]]));
    expect(fault.server.output()).not.toMatch(/refused this agent|cannot start/);
    const workers = (await fault.h.api<{ workers: { name: string; status: string }[] }>("GET", "/workers")).body.workers.filter((w) => w.name === "local");
    expect(workers.map((w) => w.status)).toEqual(["idle"]);
  }, 120_000);
});
