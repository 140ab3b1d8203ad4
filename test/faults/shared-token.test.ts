// Two agents started with one worker token, against the real server: the second is refused with a sentence and
// exits non-zero, the first goes on; an agent restarted on its own work dir is the same agent, and one that
// stopped cleanly makes way at once.
import { describe, expect, it } from "vitest";
import { faultServer, until } from "./support/harness";

const fault = faultServer({ HEARTBEAT_SECONDS: "1", LEASE_SWEEP_SECONDS: "0.5", LEASE_TTL_SECONDS: "20" });

const exited = (a: { child: { exitCode: number | null; signalCode: string | null } }) =>
  until("the agent to exit", async () => (a.child.exitCode !== null || a.child.signalCode !== null) && { code: a.child.exitCode }, 60_000);
const workerIdIn = (output: string) => /registered as worker (\S+)/.exec(output)?.[1];

describe("one agent per worker token", () => {
  it("a second agent with the same token is refused, naming the first one's host, and exits 1; the first goes on as the only worker", async () => {
    const a = await fault.h.startAgent("first");
    const first = await until("the first to register", async () => workerIdIn(a.output()), 60_000);
    const b = await fault.h.startAgent("second", [], { token: a.token });
    expect(await exited(b)).toEqual({ code: 1 });
    expect(b.output()).toMatch(/the server refused this agent: Another agent is attached with this worker token \(host "[^"]+", last heard from \d+ s ago\)\. Stop that agent, or give this machine its own worker token/);
    expect(workerIdIn(b.output())).toBeUndefined();
    const workers = (await fault.h.api<{ workers: { id: string; name: string }[] }>("GET", "/workers")).body.workers;
    expect(workers.filter((w) => w.id === first).map((w) => w.name)).toEqual(["first"]);
    expect(workers.some((w) => w.name === "second")).toBe(false);
    // The same work dir: refused by the agent itself before it says a word to the server.
    const c = await fault.h.startAgent("same-dir", [], { token: a.token, workDir: a.dir });
    expect(await exited(c)).toEqual({ code: 1 });
    expect(c.output()).toMatch(/cannot start: another agent \(pid \d+\) is running in the work dir/);
    // The first still takes runs.
    const id = await fault.h.newRun("served by the first", { steps: 5, checkpointEvery: 5, logEvery: 1, batchSize: 2, learningRate: 1e-3, warmupSteps: 1 });
    await fault.h.finished(id, a.output);
    expect(a.child.exitCode).toBeNull();

    // Killed outright and restarted on its work dir at once (as `npm start` restarts its local agent): the same
    // agent, taken back well within the lease TTL.
    a.child.kill("SIGKILL");
    await exited(a);
    const again = await fault.h.startAgent("first", [], { token: a.token, workDir: a.dir });
    expect(await until("the restarted agent to register", async () => workerIdIn(again.output()), 60_000)).toBe(first);
    // Stopped cleanly, it detaches: an agent on another machine with the token is taken at once.
    again.child.kill("SIGTERM");
    expect(await exited(again)).toEqual({ code: 0 });
    const moved = await fault.h.startAgent("moved", [], { token: a.token });
    expect(await until("the moved agent to register", async () => workerIdIn(moved.output()), 60_000)).toBe(first);
    moved.child.kill("SIGTERM");
  }, 300_000);
});
