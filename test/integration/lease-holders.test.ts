// What a worker may still do for a run once its lease lapsed or was taken over, on every route a worker uses, and
// what a heartbeat tells a worker about runs that are not its own.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { ZHeartbeat } from "../../lib/schemas/worker";
import { authorizeUpload } from "../../lib/services/checkpoints/checkpoint-uploads";
import { listCheckpoints, openCheckpoint } from "../../lib/services/checkpoints/read-checkpoints";
import { openRunVolume } from "../../lib/services/datasets/run-volumes";
import { claimRun } from "../../lib/services/leases/claim";
import { sweepExpiredLeases } from "../../lib/services/leases/expire";
import { preauthorizeReport } from "../../lib/services/leases/fence";
import { ingestMetrics } from "../../lib/services/runs/ingest-metrics";
import { appendLogs } from "../../lib/services/runs/run-logs";
import { cancelRun, transitionRun } from "../../lib/services/runs/transition-run";
import { heartbeatWorker } from "../../lib/services/workers/heartbeat-worker";
import { makeUser } from "../support/factories";
import { useImagingWork } from "../support/imaging-work";
import { makeWorker, sample, sampleRun } from "../support/workers";

const work = useImagingWork();

const STALE = { status: 409, message: expect.stringMatching(/^This worker no longer holds the run/) };
const point = (step: number, value: number) => ({ key: "loss", step: BigInt(step), value, ts: 0 });
const lapse = (runId: string) => db.lease.updateMany({ where: { runId, releasedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
const upload = (runId: string, epoch: number, step: number) => ({ runId, epoch, step, sha256: "a".repeat(64), filename: "checkpoint.tar" });

async function lossSeries(runId: string) {
  return db.$queryRaw<{ step: bigint; value: number }[]>`
    SELECT p.step, p.value FROM "MetricPoint" p JOIN "MetricKey" k ON k.id = p."keyId" WHERE k."runId" = ${runId} AND k.key = 'loss' ORDER BY p.step`;
}

describe("lease holders", () => {
  beforeEach(async () => {
    await db.run.updateMany({ where: { status: "QUEUED", archivedAt: null }, data: { archivedAt: new Date() } });
  });

  it("a lapsed lease's data is still taken until another worker takes the run over; status changes need a live lease", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const run = await sampleRun(ctx, { retry: { maxAttempts: 3, resumeFromCheckpoint: true } });
    const w1 = await makeWorker();
    const s1 = (await claimRun(w1.ctx, w1.id))!;
    await transitionRun(w1.ctx, run.id, { to: "RUNNING", reason: "", epoch: s1.epoch });
    await ingestMetrics(w1.ctx, run.id, [point(1, 5)], s1.epoch);
    await lapse(run.id);
    // The agent was out of reach past its lease: what its trainer wrote is still taken.
    await ingestMetrics(w1.ctx, run.id, [point(2, 4)], s1.epoch);
    await appendLogs(w1.ctx, run.id, { chunks: [{ seq: 0, text: "late line\n", stream: "stdout" }], epoch: s1.epoch });
    await authorizeUpload(w1.ctx.actor, upload(run.id, s1.epoch, 2));
    await expect(listCheckpoints(w1.ctx.actor, run.id)).resolves.toEqual([]);
    await expect(openCheckpoint(w1.ctx.actor, run.id, 1)).rejects.toMatchObject(STALE);
    await expect(transitionRun(w1.ctx, run.id, { to: "SUCCEEDED", reason: "", epoch: s1.epoch })).rejects.toMatchObject(STALE);
    await expect(openRunVolume(w1.ctx.actor, run.id, s1.manifest.volumes[0].sha256)).rejects.toMatchObject(STALE);
    const beat = await heartbeatWorker(w1.ctx, w1.id, ZHeartbeat.parse({ instanceId: w1.instanceId, runs: [{ runId: run.id, epoch: s1.epoch }] }));
    expect(beat.runs).toEqual([expect.objectContaining({ action: "stop", cause: "lapsed" })]);
    // The sweep makes it LOST and requeues it: still nobody else's, so still taken.
    await sweepExpiredLeases();
    expect((await db.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("QUEUED");
    await ingestMetrics(w1.ctx, run.id, [point(3, 3)], s1.epoch);
    expect((await lossSeries(run.id)).map((p) => Number(p.step))).toEqual([1, 2, 3]);

    // Another worker takes it over and resumes from step 1: it replaces steps 2 and 3, one point per step.
    const w2 = await makeWorker();
    const s2 = (await claimRun(w2.ctx, w2.id))!;
    expect(s2).toMatchObject({ runId: run.id, epoch: 2 });
    await transitionRun(w2.ctx, run.id, { to: "RUNNING", reason: "", epoch: s2.epoch });
    await ingestMetrics(w2.ctx, run.id, [point(2, 40), point(3, 30), point(4, 20)], s2.epoch);
    expect((await lossSeries(run.id)).map((p) => [Number(p.step), p.value])).toEqual([[1, 5], [2, 40], [3, 30], [4, 20]]);
    // From now on the first worker gets 409 on every route it uses for the run, and writes nothing.
    await preauthorizeReport(w1.ctx.actor, run.id); // it may send its body; the epoch in it decides
    await expect(ingestMetrics(w1.ctx, run.id, [point(5, 9)], s1.epoch)).rejects.toMatchObject(STALE);
    await expect(appendLogs(w1.ctx, run.id, { chunks: [{ seq: 1, text: "stale\n", stream: "stdout" }], epoch: s1.epoch })).rejects.toMatchObject(STALE);
    await expect(transitionRun(w1.ctx, run.id, { to: "PREEMPTED", reason: "", epoch: s1.epoch })).rejects.toMatchObject(STALE);
    await expect(authorizeUpload(w1.ctx.actor, upload(run.id, s1.epoch, 5))).rejects.toMatchObject(STALE);
    await expect(listCheckpoints(w1.ctx.actor, run.id)).rejects.toMatchObject(STALE);
    await expect(openCheckpoint(w1.ctx.actor, run.id, 1)).rejects.toMatchObject(STALE);
    await expect(openRunVolume(w1.ctx.actor, run.id, s2.manifest.volumes[0].sha256)).rejects.toMatchObject(STALE);
    const after = await heartbeatWorker(w1.ctx, w1.id, ZHeartbeat.parse({ instanceId: w1.instanceId, runs: [{ runId: run.id, epoch: s1.epoch }] }));
    expect(after.runs).toEqual([expect.objectContaining({ action: "stop", cause: "taken-over" })]);
    expect((await lossSeries(run.id)).map((p) => Number(p.step))).toEqual([1, 2, 3, 4]);

    // A worker token that never held a lease of the run is forbidden, as before, whatever epoch it names.
    const stranger = await makeWorker();
    await expect(preauthorizeReport(stranger.ctx.actor, run.id)).rejects.toMatchObject({ action: "run:report" });
    for (const epoch of [s1.epoch, s2.epoch]) {
      await expect(ingestMetrics(stranger.ctx, run.id, [point(9, 9)], epoch)).rejects.toMatchObject({ action: "run:report" });
      await expect(authorizeUpload(stranger.ctx.actor, upload(run.id, epoch, 9))).rejects.toMatchObject({ action: "run:report" });
    }
    await expect(listCheckpoints(stranger.ctx.actor, run.id)).rejects.toMatchObject({ action: "checkpoint:read" });
    await expect(openRunVolume(stranger.ctx.actor, run.id, s2.manifest.volumes[0].sha256)).rejects.toMatchObject({ action: "run:data" });
    // The new holder reads and writes as ever.
    await expect(openRunVolume(w2.ctx.actor, run.id, s2.manifest.volumes[0].sha256)).resolves.toMatchObject({ size: expect.any(Number) });
    await transitionRun(w2.ctx, run.id, { to: "SUCCEEDED", reason: "done", epoch: s2.epoch });
  });

  it("a lease ended by a status change (cancelled, handed back) takes nothing more from its holder, which is told so", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const w = await makeWorker();
    const cancelled = await sampleRun(ctx, { name: "cancelled" });
    const s1 = (await claimRun(w.ctx, w.id))!;
    await transitionRun(w.ctx, cancelled.id, { to: "RUNNING", reason: "", epoch: s1.epoch });
    await cancelRun(ctx, cancelled.id);
    const beat = await heartbeatWorker(w.ctx, w.id, ZHeartbeat.parse({ instanceId: w.instanceId, runs: [{ runId: cancelled.id, epoch: s1.epoch }] }));
    expect(beat.runs).toEqual([expect.objectContaining({ action: "stop", cause: "cancelled" })]);
    await expect(ingestMetrics(w.ctx, cancelled.id, [point(1, 1)], s1.epoch)).rejects.toMatchObject(STALE);
    await expect(authorizeUpload(w.ctx.actor, upload(cancelled.id, s1.epoch, 1))).rejects.toMatchObject(STALE);
    await expect(listCheckpoints(w.ctx.actor, cancelled.id)).rejects.toMatchObject(STALE);
    // Handed back (PREEMPTED, requeued) while still live: its agent sent everything first, so nothing more either.
    await db.run.update({ where: { id: cancelled.id }, data: { archivedAt: new Date() } });
    const handedBack = await sampleRun(ctx, { name: "handed back", retry: { maxAttempts: 2, resumeFromCheckpoint: true } });
    const s2 = (await claimRun(w.ctx, w.id))!;
    expect(s2.runId).toBe(handedBack.id);
    await transitionRun(w.ctx, handedBack.id, { to: "PREEMPTED", reason: "agent stopping", epoch: s2.epoch });
    await expect(appendLogs(w.ctx, handedBack.id, { chunks: [{ seq: 0, text: "late\n", stream: "stdout" }], epoch: s2.epoch })).rejects.toMatchObject(STALE);
    const after = await heartbeatWorker(w.ctx, w.id, ZHeartbeat.parse({ instanceId: w.instanceId, runs: [{ runId: handedBack.id, epoch: s2.epoch }] }));
    expect(after.runs).toEqual([expect.objectContaining({ action: "stop", cause: "closed" })]);
    expect(await lossSeries(cancelled.id)).toEqual([]);
  });

  it("a heartbeat says nothing about runs this worker never leased: another user's running, cancelled or finished run answers as a made-up id does", async () => {
    await sample(work);
    const alice = await makeUser("RESEARCHER");
    const bob = await makeUser("RESEARCHER");
    const bobsWorker = await makeWorker({ owner: bob.user });
    const running = await sampleRun(bob.ctx, { name: "bob's running" });
    const leased = (await claimRun(bobsWorker.ctx, bobsWorker.id))!;
    expect(leased.runId).toBe(running.id);
    await transitionRun(bobsWorker.ctx, running.id, { to: "RUNNING", reason: "", epoch: leased.epoch });
    const expiresBefore = (await db.lease.findFirstOrThrow({ where: { runId: running.id } })).expiresAt;
    const cancelled = await sampleRun(bob.ctx, { name: "bob's cancelled" });
    await cancelRun(bob.ctx, cancelled.id);
    const queued = await sampleRun(bob.ctx, { name: "bob's queued" });
    await db.run.update({ where: { id: queued.id }, data: { archivedAt: new Date() } });

    const alicesWorker = await makeWorker({ owner: alice.user });
    const probes = [running.id, cancelled.id, queued.id, "doesnotexist00000000"].map((runId) => ({ runId, epoch: 1 }));
    const beat = await heartbeatWorker(alicesWorker.ctx, alicesWorker.id, ZHeartbeat.parse({ instanceId: alicesWorker.instanceId, runs: probes }));
    expect(beat.runs).toEqual(probes.map((p) => ({ ...p, action: "stop", reason: "not a lease of this worker", expiresAt: null, cause: "not-held" })));
    // Naming it renewed nothing: bob's lease runs out as it would have.
    expect((await db.lease.findFirstOrThrow({ where: { runId: running.id } })).expiresAt).toEqual(expiresBefore);
    // Its own worker learns as before; an epoch it never held of its own run is not its lease either.
    const own = await heartbeatWorker(bobsWorker.ctx, bobsWorker.id, ZHeartbeat.parse({ instanceId: bobsWorker.instanceId, runs: [{ runId: running.id, epoch: 1 }, { runId: running.id, epoch: 2 }] }));
    expect(own.runs.map((r) => [r.action, r.cause])).toEqual([["continue", null], ["stop", "not-held"]]);
  });
});
