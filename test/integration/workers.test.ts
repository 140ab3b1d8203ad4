import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { ZHeartbeat, ZRegisterWorker } from "../../lib/schemas/worker";
import { SAMPLE_SLUG } from "../../lib/services/datasets/seed-sample";
import { claimRun } from "../../lib/services/leases/claim";
import { sweepExpiredLeases } from "../../lib/services/leases/expire";
import { ingestMetrics } from "../../lib/services/runs/ingest-metrics";
import { appendLogs } from "../../lib/services/runs/run-logs";
import { getRun } from "../../lib/services/runs/get-run";
import { cancelRun, transitionRun } from "../../lib/services/runs/transition-run";
import { heartbeatWorker } from "../../lib/services/workers/heartbeat-worker";
import { listWorkers, workerSamples } from "../../lib/services/workers/list-workers";
import { pruneWorkerSamples } from "../../lib/services/workers/prune-samples";
import { removeWorker, setDraining } from "../../lib/services/workers/manage-worker";
import { registerWorker } from "../../lib/services/workers/register-worker";
import { makeUser } from "../support/factories";
import { useImagingWork } from "../support/imaging-work";

const work = useImagingWork();
import { makeRun } from "../support/runs";
import { makeWorker, sample, sampleRun } from "../support/workers";

describe("workers and leases", () => {
  // The queue is shared by the tests of this file: each starts with nothing claimable but its own runs.
  beforeEach(async () => {
    await db.run.updateMany({ where: { status: "QUEUED", archivedAt: null }, data: { archivedAt: new Date() } });
  });

  it("an agent registers once per token; a restart updates the same worker; people can't register", async () => {
    const w = await makeWorker({ gpus: 2 });
    const again = await registerWorker(w.ctx, ZRegisterWorker.parse({ name: "renamed", instanceId: w.instanceId, gpus: [{ index: 0, name: "A100", memoryBytes: 1 }] }));
    expect(again.id).toBe(w.id);
    const row = await db.worker.findUniqueOrThrow({ where: { id: w.id } });
    expect(row.name).toBe("renamed");
    expect(row.gpus).toEqual([{ index: 0, name: "A100", memoryBytes: 1 }]);
    const admin = await makeUser("ADMIN");
    await expect(registerWorker(admin.ctx, ZRegisterWorker.parse({ name: "x", instanceId: "person-agent" }))).rejects.toMatchObject({ action: "worker:connect" });
    await expect(registerWorker(w.ctx, ZRegisterWorker.parse({ name: "x", instanceId: w.instanceId, gpus: [{ index: 0, name: "a", memoryBytes: 1 }, { index: 0, name: "b", memoryBytes: 1 }] }))).rejects.toMatchObject({ status: 400 });
  });

  it("a claim gives the oldest fitting run, a lease of epoch 1 and the trainer's own config with the sample volume", async () => {
    const admin = await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const first = await sampleRun(ctx, { name: "first", hyperparameters: { learningRate: 0.001, steps: 5, batchSize: 2 } });
    await sampleRun(ctx, { name: "second" });
    const w = await makeWorker();
    const spec = await claimRun(w.ctx, w.id);
    expect(spec).toMatchObject({ runId: first.id, epoch: 1, gpuIndices: [], executor: "LOCAL", resumeFromStep: null });
    expect(spec!.trainer).toMatchObject({ preset: "tiny", total_steps: 5, global_batch_size: 2, optim: { lr: 0.001, warmup_steps: 100 }, mae: { mask_ratio: 0.75 } });
    expect(spec!.trainer).not.toHaveProperty("learningRate");
    const file = spec!.manifest.volumes[0];
    expect(file.sha256).toBe(createHash("sha256").update(readFileSync(file.path!)).digest("hex"));
    expect((await getRun(admin.actor, first.id)).status).toBe("STARTING");
    // One run at a time on this worker (maxRuns 1): nothing more until the lease ends.
    expect(await claimRun(w.ctx, w.id)).toBeNull();
  });

  it("ten workers claiming three runs at once: each run is claimed exactly once", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const runs = await Promise.all([1, 2, 3].map((i) => sampleRun(ctx, { name: `r${i}` })));
    const workers = await Promise.all(Array.from({ length: 10 }, () => makeWorker()));
    const specs = (await Promise.all(workers.map((w) => claimRun(w.ctx, w.id)))).filter(Boolean);
    expect(specs.map((s) => s!.runId).sort()).toEqual(runs.map((r) => r.id).sort());
    expect(await db.lease.count({ where: { runId: { in: runs.map((r) => r.id) } } })).toBe(3);
  });

  it("GPUs: a run waits for a worker with enough free GPUs; concurrent runs get disjoint ones", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const big = await sampleRun(ctx, { name: "needs 2", gpus: 2 });
    const small = await makeWorker({ gpus: 1 });
    expect(await claimRun(small.ctx, small.id)).toBeNull();
    const wide = await makeWorker({ gpus: 3, maxRuns: 2 });
    const a = await claimRun(wide.ctx, wide.id);
    expect(a).toMatchObject({ runId: big.id, gpuIndices: [0, 1] });
    const one = await sampleRun(ctx, { name: "needs 1", gpus: 1 });
    await sampleRun(ctx, { name: "needs 1 more", gpus: 1 });
    expect(await claimRun(wide.ctx, wide.id)).toMatchObject({ runId: one.id, gpuIndices: [2] });
    expect(await claimRun(wide.ctx, wide.id)).toBeNull(); // maxRuns 2 and no GPU left
  });

  it("an executor takes its own kind of run (torchrun also takes local runs; Slurm only Slurm)", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const slurmRun = await sampleRun(ctx, { executor: "SLURM" });
    const local = await makeWorker();
    expect(await claimRun(local.ctx, local.id)).toBeNull();
    const slurm = await makeWorker({ executor: "SLURM" });
    expect(await claimRun(slurm.ctx, slurm.id)).toMatchObject({ runId: slurmRun.id });
    const localRun = await sampleRun(ctx);
    const torchrun = await makeWorker({ executor: "TORCHRUN" });
    expect(await claimRun(torchrun.ctx, torchrun.id)).toMatchObject({ runId: localRun.id });
  });

  it("a researcher's own worker takes only that researcher's runs; a team worker (an admin's) takes anyone's", async () => {
    await sample(work);
    const alice = await makeUser("RESEARCHER");
    const bob = await makeUser("RESEARCHER");
    const bobs = await sampleRun(bob.ctx, { name: "bob's" });
    const alicesWorker = await makeWorker({ owner: alice.user });
    expect(await claimRun(alicesWorker.ctx, alicesWorker.id)).toBeNull();
    const alices = await sampleRun(alice.ctx, { name: "alice's" });
    expect(await claimRun(alicesWorker.ctx, alicesWorker.id)).toMatchObject({ runId: alices.id });
    const team = await makeWorker();
    expect(await claimRun(team.ctx, team.id)).toMatchObject({ runId: bobs.id });
  });

  it("labels: a run goes only to a worker carrying every label it asks for", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const run = await sampleRun(ctx, { workerLabels: ["site=a", "fabric=ib"] });
    const plain = await makeWorker();
    expect(await claimRun(plain.ctx, plain.id)).toBeNull();
    const partly = await makeWorker();
    await registerWorker(partly.ctx, ZRegisterWorker.parse({ name: "partly", instanceId: partly.instanceId, labels: ["site=a"] }));
    expect(await claimRun(partly.ctx, partly.id)).toBeNull();
    const fits = await makeWorker();
    await registerWorker(fits.ctx, ZRegisterWorker.parse({ name: "fits", instanceId: fits.instanceId, labels: ["fabric=ib", "site=a", "gpu=h100"] }));
    expect(await claimRun(fits.ctx, fits.id)).toMatchObject({ runId: run.id });
  });

  it("a run whose version holds no volume the trainer reads fails at claim time, saying so", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    // A published version of a team dataset whose only volume is a DICOM series (the trainer reads NIfTI).
    const d = await db.dataset.create({ data: { slug: `dicom-only-${admin.user.id}`, name: "DICOM only", host: "team", reports: "no", bodyRegion: "", format: "DICOM", license: "internal", commercialUse: "UNKNOWN", redistribution: "no", access: "team", verified: "YES", catalog: false, ownerId: admin.user.id } });
    await db.datasetVersion.create({ data: { datasetId: d.id, version: "1", status: "PUBLISHED", publishedAt: new Date(), createdById: admin.user.id, scans: { create: { path: "/series/I10", format: "dicom", sha256: "0".repeat(64), bytes: 1n, dims: [512, 512, 10], spacing: [0.45, 0.45, 5] } } } });
    const run = await makeRun(ctx, { gpus: 0, datasetMix: [{ dataset: d.slug, weight: 1 }] });
    const w = await makeWorker();
    expect(await claimRun(w.ctx, w.id)).toBeNull();
    const after = await getRun(actor, run.id);
    expect(after.status).toBe("FAILED");
    expect(after.events.at(-1)!.reason).toMatch(/dicom-only.*has indexed CT files/);
  });

  it("a run trains on the versions its mix recorded at creation, with their geometry, not a version published later", async () => {
    const admin = await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const d = await db.dataset.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG } });
    const pinned = await db.datasetVersion.findFirstOrThrow({ where: { datasetId: d.id, status: "PUBLISHED" } });
    const run = await sampleRun(ctx);
    expect((run.datasetMix as { versionId: string }[])[0].versionId).toBe(pinned.id);
    // A newer version of the sample appears after the run was queued.
    await db.datasetVersion.create({ data: { datasetId: d.id, version: `later-${run.id}`, status: "PUBLISHED", publishedAt: new Date(Date.now() + 60_000), createdById: admin.user.id, scans: { create: { path: "/elsewhere/other.nii.gz", sha256: "f".repeat(64), bytes: 1n, dims: [1, 1, 1], spacing: [1, 1, 1] } } } });
    const w = await makeWorker();
    const spec = (await claimRun(w.ctx, w.id))!;
    expect(spec.runId).toBe(run.id);
    expect(spec.manifest.volumes).toHaveLength(1);
    expect(spec.manifest.volumes[0]).toMatchObject({ path: expect.stringMatching(/example_ct\.nii\.gz$/), geometry: { shape: [122, 101, 112], spacing: [3, 3, 3], orientation: "RAS" } });
    await expect(makeRun(ctx, { datasetMix: [{ dataset: SAMPLE_SLUG, version: "no-such", weight: 1 }] })).rejects.toMatchObject({ status: 400, errors: [{ field: "datasetMix.0.version" }] });
  });

  it("fencing: a lost lease is swept, the run requeued and claimed at epoch 2; the old epoch is refused (409), the new accepted", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const run = await sampleRun(ctx, { retry: { maxAttempts: 2, resumeFromCheckpoint: true } });
    const w1 = await makeWorker();
    const w2 = await makeWorker();
    const s1 = (await claimRun(w1.ctx, w1.id))!;
    await transitionRun(w1.ctx, run.id, { to: "RUNNING", reason: "", epoch: s1.epoch });
    await ingestMetrics(w1.ctx, run.id, [{ key: "loss", step: 1n, value: 2, ts: 0 }], s1.epoch);
    // The agent dies: its lease runs out and the sweep finds it.
    await db.lease.updateMany({ where: { runId: run.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await sweepExpiredLeases();
    expect((await db.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("QUEUED");
    const s2 = (await claimRun(w2.ctx, w2.id))!;
    expect(s2).toMatchObject({ runId: run.id, epoch: 2, attempt: 2 });
    // The first agent wakes up: what it sends under its old lease is refused as stale (409, so it stops), and
    // nobody else can write under that epoch either.
    await expect(ingestMetrics(w1.ctx, run.id, [{ key: "loss", step: 2n, value: 9, ts: 0 }], s1.epoch)).rejects.toMatchObject({ status: 409 });
    await expect(ingestMetrics(w1.ctx, run.id, [{ key: "loss", step: 2n, value: 9, ts: 0 }], s2.epoch)).rejects.toMatchObject({ action: "run:report" });
    await expect(ingestMetrics(w2.ctx, run.id, [{ key: "loss", step: 2n, value: 9, ts: 0 }], s1.epoch)).rejects.toMatchObject({ action: "run:report" });
    await expect(transitionRun(w1.ctx, run.id, { to: "SUCCEEDED", reason: "", epoch: s1.epoch })).rejects.toBeTruthy();
    await transitionRun(w2.ctx, run.id, { to: "RUNNING", reason: "", epoch: s2.epoch });
    await ingestMetrics(w2.ctx, run.id, [{ key: "loss", step: 2n, value: 1, ts: 0 }], s2.epoch);
    await appendLogs(w2.ctx, run.id, { chunks: [{ seq: 0, text: "hello\n", stream: "stdout" }], epoch: s2.epoch });
    await transitionRun(w2.ctx, run.id, { to: "SUCCEEDED", reason: "done", epoch: s2.epoch });
    expect(await db.lease.count({ where: { runId: run.id, releasedAt: null } })).toBe(0);
  });

  it("a worker token reports only on the run it leases, and reads nothing", async () => {
    await sample(work);
    const { ctx, actor } = await makeUser("RESEARCHER");
    const leased = await sampleRun(ctx);
    const other = await sampleRun(ctx);
    const w = await makeWorker({ maxRuns: 1 });
    const spec = (await claimRun(w.ctx, w.id))!;
    expect(spec.runId).toBe(leased.id);
    await expect(ingestMetrics(w.ctx, other.id, [{ key: "loss", step: 1n, value: 1, ts: 0 }])).rejects.toMatchObject({ action: "run:report" });
    await expect(getRun(w.ctx.actor, leased.id)).rejects.toMatchObject({ action: "run:read" });
    await expect(listWorkers(w.ctx.actor)).rejects.toMatchObject({ action: "worker:read" });
    await expect(cancelRun(w.ctx, leased.id)).rejects.toMatchObject({ action: "run:write" });
    expect((await getRun(actor, leased.id)).status).toBe("STARTING");
  });

  it("heartbeats renew leases and carry cancellations; another worker's token is refused", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const run = await sampleRun(ctx);
    const w = await makeWorker();
    const spec = (await claimRun(w.ctx, w.id))!;
    const before = (await db.lease.findFirstOrThrow({ where: { runId: run.id } })).expiresAt;
    await new Promise((r) => setTimeout(r, 20));
    const beat = await heartbeatWorker(w.ctx, w.id, ZHeartbeat.parse({ instanceId: w.instanceId, runs: [{ runId: run.id, epoch: spec.epoch }], samples: [{ gpu: 0, util: 50, memUsed: 1, memTotal: 2 }] }));
    expect(beat.runs).toEqual([expect.objectContaining({ runId: run.id, action: "continue" })]);
    expect((await db.lease.findFirstOrThrow({ where: { runId: run.id } })).expiresAt.getTime()).toBeGreaterThan(before.getTime());
    await cancelRun(ctx, run.id);
    const after = await heartbeatWorker(w.ctx, w.id, ZHeartbeat.parse({ instanceId: w.instanceId, runs: [{ runId: run.id, epoch: spec.epoch }] }));
    expect(after.runs).toEqual([expect.objectContaining({ action: "stop", reason: "cancelled" })]);
    const stranger = await makeWorker();
    await expect(heartbeatWorker(stranger.ctx, w.id, ZHeartbeat.parse({ instanceId: stranger.instanceId }))).rejects.toMatchObject({ action: "worker:connect" });
    await expect(claimRun(stranger.ctx, w.id)).rejects.toMatchObject({ action: "worker:connect" });
  });

  it("a draining worker claims nothing; a removed one loses its token; the list shows status", async () => {
    await sample(work);
    const admin = await makeUser("ADMIN");
    const { ctx } = await makeUser("RESEARCHER");
    await sampleRun(ctx);
    const w = await makeWorker();
    await setDraining(admin.ctx, w.id, true);
    expect(await claimRun(w.ctx, w.id)).toBeNull();
    expect((await listWorkers(admin.actor)).find((x) => x.id === w.id)?.status).toBe("draining");
    await setDraining(admin.ctx, w.id, false);
    expect((await listWorkers(admin.actor)).find((x) => x.id === w.id)?.status).toBe("idle");
    await removeWorker(admin.ctx, w.id);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: w.tokenId } })).revokedAt).not.toBeNull();
    expect((await listWorkers(admin.actor)).some((x) => x.id === w.id)).toBe(false);
    const { ctx: researcher } = await makeUser("RESEARCHER");
    await expect(setDraining(researcher, w.id, true)).rejects.toMatchObject({ action: "worker:manage" });
  });

  it("a preempted run goes back to the queue; a script's run is RUNNING at once and never offered to a worker", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const run = await sampleRun(ctx);
    const w = await makeWorker();
    const spec = (await claimRun(w.ctx, w.id))!;
    await transitionRun(w.ctx, run.id, { to: "PREEMPTED", reason: "agent stopping", epoch: spec.epoch });
    expect((await db.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("QUEUED");
    await db.run.update({ where: { id: run.id }, data: { archivedAt: new Date() } });
    const script = await sampleRun(ctx, { driver: "script" });
    expect(script.status).toBe("RUNNING");
    expect(await claimRun(w.ctx, w.id)).toBeNull();
  });

  it("GPU samples older than a day are pruned; the last hour is what the charts read", async () => {
    const w = await makeWorker({ gpus: 1 });
    const admin = await makeUser("ADMIN");
    const day = 86_400_000;
    await db.workerSample.createMany({ data: [2 * day, day / 2, 60_000].map((ago) => ({ workerId: w.id, gpu: 0, util: 50, memUsed: 1n, memTotal: 2n, at: new Date(Date.now() - ago) })) });
    expect(await workerSamples(admin.actor, w.id)).toHaveLength(1);
    await pruneWorkerSamples();
    expect(await db.workerSample.count({ where: { workerId: w.id } })).toBe(2);
  });

  it("an agent's retried report is a no-op under its live lease, and a new attempt's log goes on after the last", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const run = await sampleRun(ctx, { retry: { maxAttempts: 1, resumeFromCheckpoint: true } });
    const w = await makeWorker();
    const spec = (await claimRun(w.ctx, w.id))!;
    expect(spec.nextLogSeq).toBe(0);
    await transitionRun(w.ctx, run.id, { to: "RUNNING", reason: "", epoch: spec.epoch });
    await transitionRun(w.ctx, run.id, { to: "RUNNING", reason: "", epoch: spec.epoch }); // its answer was lost
    expect((await db.runEvent.findMany({ where: { runId: run.id } })).map((e) => e.to)).toEqual(["QUEUED", "STARTING", "RUNNING"]);
    await appendLogs(w.ctx, run.id, { chunks: [0, 1, 2].map((seq) => ({ seq, text: `line ${seq}\n`, stream: "stdout" as const })), epoch: spec.epoch });
    await db.lease.updateMany({ where: { runId: run.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await sweepExpiredLeases();
    const again = (await claimRun(w.ctx, w.id))!;
    expect(again).toMatchObject({ runId: run.id, epoch: 2, nextLogSeq: 3 });
  });

  it("a claim retried with its id after a lost answer gets the same lease, not a second run", async () => {
    await sample(work);
    const { ctx } = await makeUser("RESEARCHER");
    const first = await sampleRun(ctx, { name: "one" });
    await sampleRun(ctx, { name: "two" });
    const w = await makeWorker({ maxRuns: 2 });
    const a = await claimRun(w.ctx, w.id, "claim-0001");
    const b = await claimRun(w.ctx, w.id, "claim-0001");
    expect(b).toEqual(a);
    expect(a).toMatchObject({ runId: first.id, epoch: 1 });
    expect(await db.lease.count({ where: { workerId: w.id } })).toBe(1);
    // Once the agent started it, that claim id is spent.
    await transitionRun(w.ctx, first.id, { to: "RUNNING", reason: "", epoch: 1 });
    expect(await claimRun(w.ctx, w.id, "claim-0001")).toBeNull();
    expect(await claimRun(w.ctx, w.id, "claim-0002")).toMatchObject({ runId: expect.not.stringMatching(first.id) });
  });
});
