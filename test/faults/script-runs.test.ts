// Runs from your own script, with the real Python client against the real server: init() creates a run the
// script drives, finish() ends it, an exception fails it, and a script killed outright is marked LOST once it
// goes silent. No worker is ever offered such a run.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { faultServer, until } from "./support/harness";

const run = promisify(execFile);
const python = process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3";
const trainerDir = path.resolve(import.meta.dirname, "../../workers/trainer");
// Silent for 6 s is stale here (15 minutes by default).
const fault = faultServer({ RUN_STALE_MINUTES: "0.1", LEASE_SWEEP_SECONDS: "0.5" });
let token: string;

beforeAll(async () => {
  token = (await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "script", scopes: ["runs:write", "read"] })).body.secret;
});

/** Runs `body` after `from hounsfield_trainer import client as hf`; prints the run id first. */
async function script(body: string) {
  const code = `import os, sys\nfrom hounsfield_trainer import client as hf\n${body}`;
  const r = await run(python, ["-c", code], { env: { ...process.env, PYTHONPATH: trainerDir, HOUNSFIELD_URL: fault.server.baseUrl, HOUNSFIELD_TOKEN: token, HOUNSFIELD_RUN_DIR: "" }, cwd: fault.h.workDir }).catch((e) => e as { stdout: string; stderr: string; code: number });
  return { id: String(r.stdout).trim().split("\n")[0], stderr: String(r.stderr) };
}

describe("runs from your own script", () => {
  it("init() makes a RUNNING run with the script's config, log() ships, finish() marks it SUCCEEDED", async () => {
    const { id } = await script(`run = hf.init(name="my script", config={"lr": 0.1, "layers": [2, 2]})
print(run.run_id, flush=True)
for step in range(1, 51):
    hf.log({"loss": 1.0 / step}, step=step)
hf.finish()`);
    const r = await fault.h.getRun(id);
    expect(r.status).toBe("SUCCEEDED");
    expect(r.events.map((e) => e.to)).toEqual(["RUNNING", "SUCCEEDED"]);
    const full = await fault.h.api<{ config: unknown; preset: string }>("GET", `/runs/${id}`);
    expect(full.body).toMatchObject({ config: { lr: 0.1, layers: [2, 2] }, preset: "custom" });
    expect((await fault.h.loss(id)).rawPoints).toBe(50);
  });

  it("an uncaught exception ends the run FAILED with the error", async () => {
    const { id, stderr } = await script(`run = hf.init(name="crashes")
print(run.run_id, flush=True)
hf.log({"loss": 1.0}, step=1)
raise RuntimeError("loss became NaN at step 2")`);
    expect(stderr).toMatch(/RuntimeError: loss became NaN/);
    const r = await fault.h.getRun(id);
    expect(r.status).toBe("FAILED");
    expect(r.events.at(-1)!.reason).toBe("RuntimeError: loss became NaN at step 2");
  });

  it("a script killed without finishing becomes LOST when it goes silent, and no worker ever takes its run", async () => {
    const agent = await fault.h.startAgent("idle");
    const { id } = await script(`run = hf.init(name="killed")
print(run.run_id, flush=True)
hf.log({"loss": 1.0}, step=1)
run.flush()
os.kill(os.getpid(), 9)`);
    const lost = await until("LOST", async () => (await fault.h.getRun(id)).status === "LOST" && (await fault.h.getRun(id)), 60_000);
    expect(lost.events.at(-1)!.reason).toMatch(/no metrics, logs or status change/);
    expect(agent.output()).not.toContain(id);
    agent.child.kill("SIGTERM");
  });
});
