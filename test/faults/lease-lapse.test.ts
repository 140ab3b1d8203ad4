// A lease the agent cannot renew in time, against the real server, agents and trainer. Leases are short here
// (3 s, swept every 0.5 s): the agent stops its trainer on its own clock and hands over what it wrote once the
// server is back; an agent whose run was taken over is told so, in a sentence, on every route it uses.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "../support/start-server";
import { faultServer, until } from "./support/harness";

const ENV = { LEASE_TTL_SECONDS: "3", LEASE_SWEEP_SECONDS: "0.5", HEARTBEAT_SECONDS: "1" };
const fault = faultServer(ENV);

const trainerRunning = (runId: string) => spawnSync("pgrep", ["-f", `hounsfield_trainer train .*runs/${runId}`]).status === 0;
const checkpointSteps = async (runId: string) => (await fault.h.api<{ checkpoints: { step: number }[] }>("GET", `/runs/${runId}/checkpoints`)).body.checkpoints.map((c) => c.step);

describe("lapsed leases", () => {
  it("the server is away longer than the lease: the trainer is stopped and checkpoints, its output reaches the server when it is back, and the run resumes from there with every step once", async () => {
    const a = await fault.h.startAgent("cut-off");
    // No periodic checkpoint: the only one is what the trainer saves when the agent stops it.
    const id = await fault.h.newRun("through a long outage", { steps: 300, checkpointEvery: 1000, logEvery: 1, batchSize: 2, learningRate: 1e-3, warmupSteps: 5 }, { retry: { maxAttempts: 5, resumeFromCheckpoint: true } });
    await until("the first points", async () => (await fault.h.loss(id)).rawPoints >= 10, 120_000);
    await fault.server.halt();
    const haltedAt = Date.now();
    await until("the agent to stop the trainer", async () => !trainerRunning(id), 30_000);
    expect(Date.now() - haltedAt).toBeLessThan(20_000);
    expect(a.output()).toMatch(/its lease could not be renewed for 3 s; stopping its trainer/);
    const final = JSON.parse(readFileSync(path.join(a.dir, "runs", id, "final.json"), "utf8")) as { status: string; step: number };
    expect(final.status).toBe("preempted");

    fault.server = await startServer(ENV, { reuse: fault.server });
    // This agent claims nothing more, so the run resumes on another machine, from what the server got.
    const workers = (await fault.h.api<{ workers: { id: string; name: string }[] }>("GET", "/workers")).body.workers;
    await fault.h.api("PATCH", `/workers/${workers.find((w) => w.name === "cut-off")!.id}`, { draining: true });
    // The late checkpoint and points are taken: nobody had taken the run over.
    await until("the late checkpoint on the server", async () => (await checkpointSteps(id)).includes(final.step), 60_000);
    const late = await fault.h.loss(id);
    expect(late.points.step).toEqual(Array.from({ length: final.step }, (_, i) => i + 1));
    await until("the first agent to finish with the run", async () => /lease lapsed, output sent/.test(a.output()), 30_000);
    // The server's sweep marks it LOST (its status could not be reported without a live lease) and requeues it.
    await until("the run to be requeued", async () => (await fault.h.getRun(id)).status === "QUEUED", 60_000);
    expect((await fault.h.getRun(id)).events.map((e) => e.to)).toEqual(["QUEUED", "STARTING", "RUNNING", "LOST", "QUEUED"]);

    const b = await fault.h.startAgent("rescuer");
    const done = await fault.h.finished(id, b.output, 240_000);
    expect(done.events.at(-2)!.reason).toBe(`resuming from its last checkpoint (step ${final.step})`);
    const series = await fault.h.loss(id);
    expect(series.rawPoints).toBe(300);
    expect(series.points.step).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
  }, 400_000);

  it("once another worker took the run over, every route the first one uses for it answers 409 'this worker no longer holds the run'; a token that never held it is forbidden", async () => {
    const a = await fault.h.startAgent("superseded");
    const id = await fault.h.newRun("taken over", { steps: 2000, checkpointEvery: 5, logEvery: 1, batchSize: 2, learningRate: 1e-3, warmupSteps: 5 });
    await until("a checkpoint on the server", async () => (await checkpointSteps(id)).length > 0, 120_000);
    const step = (await checkpointSteps(id))[0];
    const as = (token: string) => async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${fault.server.baseUrl}/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json().catch(() => null)) as { detail?: string; runs?: { cause: string }[] } | null, location: res.headers.get("location") };
    };
    const first = as(a.token);
    const tus = (epoch: number, n: number) => ({
      "tus-resumable": "1.0.0",
      "upload-length": "10",
      "upload-metadata": [["runId", id], ["epoch", String(epoch)], ["step", String(900 + n)], ["sha256", "a".repeat(64)]].map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`).join(","),
    });
    // An upload begun under its lease, to go on with later.
    const begun = await first("POST", "/uploads", undefined, tus(1, 0));
    expect(begun.status).toBe(201);
    const uploadUrl = new URL(begun.location!, fault.server.baseUrl).pathname.replace(/^\/api\/v1/, "");
    const manifest = JSON.parse(readFileSync(path.join(a.dir, "runs", id, "agent", "manifest.json"), "utf8")) as { volumes: { sha256: string }[] };
    const workerId = (await fault.h.api<{ workers: { id: string; name: string }[] }>("GET", "/workers")).body.workers.find((w) => w.name === "superseded")!.id;

    // Presumed dead: its lease expires, the run is requeued and another worker takes it (lease 2).
    a.child.kill("SIGKILL");
    const b = await fault.h.startAgent("successor");
    await until("the successor's lease", async () => (await fault.h.getRun(id)).events.filter((e) => e.to === "RUNNING").length === 2, 120_000);

    const routes: [string, string, unknown?, Record<string, string>?][] = [
      ["POST", `/runs/${id}/metrics`, { points: [{ key: "loss", step: 1, value: 9 }], epoch: 1 }],
      ["POST", `/runs/${id}/logs`, { chunks: [{ seq: 100_000, text: "stale\n" }], epoch: 1 }],
      ["POST", `/runs/${id}/transitions`, { to: "FAILED", reason: "stale", epoch: 1 }],
      ["POST", "/uploads", undefined, tus(1, 1)],
      ["PATCH", uploadUrl, undefined, { "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" }],
      ["HEAD", uploadUrl, undefined, { "tus-resumable": "1.0.0" }],
      ["GET", `/runs/${id}/checkpoints`],
      ["GET", `/runs/${id}/checkpoints/${step}`],
      ["GET", `/runs/${id}/volumes/${manifest.volumes[0].sha256}`],
    ];
    for (const [method, url, body, headers] of routes) {
      const r = await first(method, url, body, headers);
      expect([method, url, r.status]).toEqual([method, url, 409]);
      if (method !== "HEAD") expect(r.body?.detail).toMatch(/^This worker no longer holds the run/);
    }
    const instanceId = readFileSync(path.join(a.dir, "agent-instance"), "utf8").trim();
    const beat = await first("POST", `/workers/${workerId}/heartbeat`, { instanceId, runs: [{ runId: id, epoch: 1 }] });
    expect(beat.body?.runs?.[0]).toMatchObject({ action: "stop", cause: "taken-over" });

    // A worker token that never held a lease of this run: forbidden, as before.
    const stranger = as((await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "stranger", scopes: ["worker"] })).body.secret);
    for (const [method, url, body, headers] of routes.filter(([m]) => m !== "PATCH" && m !== "HEAD")) {
      const r = await stranger(method, url, body, headers);
      expect([method, url, r.status]).toEqual([method, url, 403]);
    }
    // Nothing of the first agent's was taken; the successor goes on.
    expect((await fault.h.getRun(id)).status).toBe("RUNNING");
    await fault.h.api("POST", `/runs/${id}/cancel`);
    b.child.kill("SIGTERM");
  }, 300_000);
});
