// The trainer's keep_checkpoints under the agent: while the server is out of reach the trainer goes on
// checkpointing, and none of what the server has not got is deleted; once all of it is uploaded, the worker keeps
// only the newest few. The lease (60 s, the default) outlasts this outage.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "../support/start-server";
import { faultServer, until } from "./support/harness";

const ENV = { HEARTBEAT_SECONDS: "1", LEASE_SWEEP_SECONDS: "1" };
const fault = faultServer(ENV);

const localSteps = (dir: string, runId: string) => {
  try {
    return readdirSync(path.join(dir, "runs", runId, "checkpoints")).map((d) => /^step-(\d+)$/.exec(d)?.[1]).filter(Boolean).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
};

describe("checkpoint retention", () => {
  it("checkpoints written while the server is away are all kept and uploaded when it returns; then only the newest keep_checkpoints stay on the worker", async () => {
    const a = await fault.h.startAgent("keeper");
    const id = await fault.h.newRun("checkpoints through an outage", { steps: 120, checkpointEvery: 5, logEvery: 1, batchSize: 2, learningRate: 1e-3, warmupSteps: 5 });
    const stored = async () => (await fault.h.api<{ checkpoints: { step: number }[] }>("GET", `/runs/${id}/checkpoints`)).body.checkpoints.map((c) => c.step);
    await until("a first checkpoint on the server", async () => (await stored()).length > 0, 120_000);
    await fault.server.halt();
    // keep_checkpoints is 3; the trainer writes more than that which the server has not got, and deletes none.
    const unsent = await until("five checkpoints the server has not got", async () => {
      const steps = localSteps(a.dir, id);
      return steps.length >= 6 && steps;
    }, 90_000);
    expect(unsent).toEqual(Array.from({ length: unsent.length }, (_, i) => unsent[0] + 5 * i));
    fault.server = await startServer(ENV, { reuse: fault.server });
    const done = await fault.h.finished(id, a.output, 240_000);
    expect(done.events.map((e) => e.to)).toEqual(["QUEUED", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect(await stored()).toEqual(Array.from({ length: 24 }, (_, i) => 5 * (i + 1)));
    expect(localSteps(a.dir, id)).toEqual([110, 115, 120]);
    expect(a.output()).not.toMatch(/removed before it could be uploaded/);
    a.child.kill("SIGTERM");
  }, 400_000);
});
