// The whole path under faults: a real server (embedded PostgreSQL), real agents in their own processes, the real
// trainer on the sample CT. Leases are short here (3 s, swept every 0.5 s) so a lost agent is noticed in seconds;
// the defaults (60 s, swept every 15 s) give the same sequence within 90 s.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { faultServer, sleep, until, type Series } from "./support/harness";

const fault = faultServer({ LEASE_TTL_SECONDS: "3", LEASE_SWEEP_SECONDS: "0.5", HEARTBEAT_SECONDS: "1" });

const HYPER = { steps: 40, checkpointEvery: 10, logEvery: 1, batchSize: 4, learningRate: 1e-3, warmupSteps: 5 };

describe("agent faults", () => {
  let reference: Series["points"];

  it("an agent takes a queued run, trains it on the sample CT and reports SUCCEEDED; the loss falls and the log arrives", async () => {
    const a = await fault.h.startAgent("a");
    const id = await fault.h.newRun("uninterrupted", HYPER);
    await fault.h.finished(id, a.output);
    const series = await fault.h.loss(id);
    expect(series.exact).toBe(true);
    expect(series.points.step).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const y = series.points.y as number[];
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(y.slice(-5))).toBeLessThan(mean(y.slice(0, 5)) * 0.7);
    reference = series.points;
    const logs = await fault.h.api<{ lines: { text: string }[] }>("GET", `/runs/${id}/logs`);
    expect(logs.body.lines.length).toBeGreaterThan(0);
    const workers = await fault.h.api<{ workers: { name: string; status: string }[] }>("GET", "/workers");
    expect(workers.body.workers.find((w) => w.name === "a")?.status).toMatch(/idle|busy/);
    a.child.kill("SIGTERM");
    await until("agent a to stop", async () => a.child.exitCode !== null, 20_000);
  }, 180_000);

  it("kill -9 the agent mid-run: LOST, requeued, resumed on another machine from the uploaded checkpoint; the series equals the uninterrupted one", async () => {
    const a = await fault.h.startAgent("doomed");
    const id = await fault.h.newRun("interrupted", HYPER);
    // Past the step-10 checkpoint (uploaded), before the end.
    await until("the first checkpoint on the server", async () => (await fault.h.api<{ checkpoints: unknown[] }>("GET", `/runs/${id}/checkpoints`)).body.checkpoints.length > 0, 120_000);
    await until("steps past the first checkpoint", async () => (await fault.h.loss(id)).rawPoints >= 14, 120_000);
    a.child.kill("SIGKILL");
    const killedAt = Date.now();
    const lost = await until("LOST", async () => (await fault.h.getRun(id)).events.find((e) => e.to === "LOST"), 60_000);
    expect(new Date(lost.at).getTime() - killedAt).toBeLessThan(90_000);
    // A machine that never saw this run: it must fetch the checkpoint to resume.
    const b = await fault.h.startAgent("rescuer");
    const done = await fault.h.finished(id, b.output);
    expect(done.events.map((e) => e.to)).toEqual(["QUEUED", "STARTING", "RUNNING", "LOST", "QUEUED", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect(done.events[6].reason).toMatch(/resuming from its last checkpoint \(step (10|20|30)\)/);
    const logs = await fault.h.api<{ lines: { text: string }[] }>("GET", `/runs/${id}/logs?q=fetching`);
    expect(logs.body.lines.map((l) => l.text).join("")).toMatch(/fetching the checkpoint of step \d+/);
    // Every checkpoint of the finished run is on the server, the last one included.
    const stored = (await fault.h.api<{ checkpoints: { step: number }[] }>("GET", `/runs/${id}/checkpoints`)).body.checkpoints.map((c) => c.step);
    expect(stored).toEqual(expect.arrayContaining([10, 20, 30, 40]));
    const series = await fault.h.loss(id);
    // No point lost, none doubled, and the resumed steps are the same numbers an uninterrupted run logs.
    expect(series.rawPoints).toBe(40);
    expect(series.points.step).toEqual(reference.step);
    expect(series.points.y).toEqual(reference.y);
    b.child.kill("SIGTERM");
  }, 240_000);

  it("an agent stopped with SIGTERM hands its run back as PREEMPTED, and it is queued again", async () => {
    const a = await fault.h.startAgent("preempted");
    const id = await fault.h.newRun("preempted", HYPER);
    await until("RUNNING", async () => (await fault.h.getRun(id)).status === "RUNNING", 120_000);
    a.child.kill("SIGTERM");
    await until("agent to exit", async () => a.child.exitCode !== null, 30_000);
    const r = await fault.h.getRun(id);
    expect(r.events.map((e) => e.to).slice(-2)).toEqual(["PREEMPTED", "QUEUED"]);
    expect(r.status).toBe("QUEUED");
    await fault.h.api("POST", `/runs/${id}/cancel`);
  }, 180_000);

  it("cancelling from the dashboard stops the trainer within a heartbeat or two; the run stays CANCELLED", async () => {
    const a = await fault.h.startAgent("cancel");
    const id = await fault.h.newRun("to cancel", { ...HYPER, steps: 2000 });
    await until("RUNNING", async () => (await fault.h.getRun(id)).status === "RUNNING", 120_000);
    expect((await fault.h.api("POST", `/runs/${id}/cancel`)).status).toBe(200);
    await until("the agent to stop the trainer", async () => /run \S+: cancelled/.test(a.output()), 30_000);
    expect((await fault.h.getRun(id)).status).toBe("CANCELLED");
    a.child.kill("SIGTERM");
  }, 180_000);

  it("a trainer preempted by SIGTERM from outside (as Slurm does) saves its step, the run is PREEMPTED and requeued, and resumes from that step to the same series", async () => {
    const a = await fault.h.startAgent("preemptible");
    const id = await fault.h.newRun("preempted", HYPER);
    await until("a few steps", async () => (await fault.h.loss(id)).rawPoints >= 5, 120_000);
    execFileSync("pkill", ["-TERM", "-f", `hounsfield_trainer train .*runs/${id}`]);
    await until("PREEMPTED", async () => (await fault.h.getRun(id)).events.some((e) => e.to === "PREEMPTED"), 60_000);
    const preempted = (await fault.h.getRun(id)).events.find((e) => e.to === "PREEMPTED")!;
    expect(preempted.reason).toMatch(/stopped \(SIGTERM\) and saved step \d+/);
    await fault.h.finished(id, a.output);
    const series = await fault.h.loss(id);
    expect(series.points.step).toEqual(reference.step);
    expect(series.points.y).toEqual(reference.y);
    a.child.kill("SIGTERM");
    await until("agent preemptible to stop", async () => a.child.exitCode !== null, 20_000);
  }, 240_000);

  it("a trainer that exits non-zero ends the run FAILED with its last log lines; the agent lives on", async () => {
    // A "Python" that dies the way a trainer does when the GPU runs out of memory.
    const python = path.join(fault.h.workDir, "dying-python");
    writeFileSync(python, "#!/bin/sh\necho 'RuntimeError: CUDA out of memory (simulated)' >&2\nexit 3\n", { mode: 0o755 });
    const a = await fault.h.startAgent("failing", ["--python", python]);
    const id = await fault.h.newRun("dies", HYPER);
    const run = await until("FAILED", async () => {
      const r = await fault.h.getRun(id);
      return ["FAILED", "SUCCEEDED"].includes(r.status) && r;
    });
    expect(run.status).toBe("FAILED");
    expect(run.events.at(-1)!.reason).toMatch(/exited with status 3[\s\S]*CUDA out of memory \(simulated\)/);
    // Still heartbeating, and saying plainly that its Python has no PyTorch.
    await sleep(2500);
    const w = (await fault.h.api<{ workers: { name: string; status: string; info: { torch: string | null } }[] }>("GET", "/workers")).body.workers.find((x) => x.name === "failing");
    expect(w).toMatchObject({ status: "idle", info: { torch: null } });
    expect(a.child.exitCode).toBeNull();
    a.child.kill("SIGTERM");
  }, 240_000);

  it("a run whose disk fills up FAILS saying so, and the agent lives on", async () => {
    // More free space asked for than any disk here has: the agent's check trips at once, as on a full disk.
    const a = await fault.h.startAgent("small-disk", ["--min-free-mb", String(2 ** 40)]);
    const id = await fault.h.newRun("fills the disk", { ...HYPER, steps: 2000 });
    const run = await until("FAILED", async () => {
      const r = await fault.h.getRun(id);
      return ["FAILED", "SUCCEEDED"].includes(r.status) && r;
    });
    expect(run.status).toBe("FAILED");
    expect(run.events.at(-1)!.reason).toMatch(/disk holding the run directory is full \(\d+ MB free, at least \d+ MB needed\)/);
    await sleep(2500);
    expect((await fault.h.api<{ workers: { name: string; status: string }[] }>("GET", "/workers")).body.workers.find((w) => w.name === "small-disk")?.status).toBe("idle");
    expect(a.child.exitCode).toBeNull();
    a.child.kill("SIGTERM");
  }, 240_000);
});
