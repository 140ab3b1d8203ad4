// Outages under a running run, with the default 60 s lease: the web server gone for 30 s, PostgreSQL killed.
// The agent keeps what it could not send in the run directory and sends it when the server answers again; the
// server's supervisor restarts its database. Nothing is lost and nothing is counted twice.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startServer } from "../support/start-server";
import { faultServer, sleep, until } from "./support/harness";

const ENV = { HEARTBEAT_SECONDS: "1", LEASE_SWEEP_SECONDS: "1" };
const fault = faultServer(ENV);

const HYPER = { steps: 300, checkpointEvery: 50, logEvery: 1, batchSize: 2, learningRate: 1e-3, warmupSteps: 5 };

describe("outages", () => {
  it("the web server stops for 30 s mid-run: the agent spools, replays in order, and every step arrives once", async () => {
    const a = await fault.h.startAgent("patient");
    const id = await fault.h.newRun("through an outage", HYPER);
    await until("the first points", async () => (await fault.h.loss(id)).rawPoints >= 20, 120_000);
    await fault.server.halt();
    await sleep(30_000);
    fault.server = await startServer(ENV, { reuse: fault.server });
    await until("the agent to reconnect", async () => /server reachable again/.test(a.output()), 60_000);
    const done = await fault.h.finished(id, a.output, 240_000);
    expect(done.events.map((e) => e.to)).toEqual(["QUEUED", "STARTING", "RUNNING", "SUCCEEDED"]);
    const series = await fault.h.loss(id);
    expect(series.rawPoints).toBe(300);
    expect(series.points.step).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    a.child.kill("SIGTERM");
  }, 400_000);

  it("PostgreSQL is killed mid-run: the server restarts it by itself and the run finishes with every point", async () => {
    const a = await fault.h.startAgent("steady");
    const id = await fault.h.newRun("through a database crash", { ...HYPER, steps: 150 });
    await until("the first points", async () => (await fault.h.loss(id)).rawPoints >= 20, 120_000);
    const pid = Number(readFileSync(path.join(fault.server.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, "SIGKILL");
    await until("the database restart", async () => /PostgreSQL (restarted|is back)|restarting PostgreSQL/i.test(fault.server.output()), 60_000);
    const done = await fault.h.finished(id, a.output, 240_000);
    expect(done.status).toBe("SUCCEEDED");
    const series = await fault.h.loss(id);
    expect(series.rawPoints).toBe(150);
    a.child.kill("SIGTERM");
  }, 400_000);
});
