import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { ZCreateRun, ZRunListQuery } from "../../lib/schemas/run";
import { archiveRun, deleteRun } from "../../lib/services/runs/archive-run";
import { createRun } from "../../lib/services/runs/create-run";
import { ingestMetrics } from "../../lib/services/runs/ingest-metrics";
import { listRuns } from "../../lib/services/runs/list-runs";
import { sweepExpiredLeases } from "../../lib/services/leases/expire";
import { cancelRun, transitionRun } from "../../lib/services/runs/transition-run";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";

describe("runs", () => {
  it("validates hyperparameters against the preset and the mix against the catalog, naming the fields", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    await makeRun(ctx);
    const err = await createRun(ctx, ZCreateRun.parse({ name: "x", preset: "tiny", hyperparameters: { learningRate: -1, bogus: 1 }, datasetMix: [{ dataset: "no-such", weight: 1 }] })).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(["hyperparameters.learningRate", "hyperparameters.bogus", "datasetMix.0.dataset"]));
  });

  it("a worker's run needs a preset and data; a script's run may bring its own config instead, never both", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    const fields = async (body: Record<string, unknown>) => ((await createRun(ctx, ZCreateRun.parse({ name: "x", ...body })).catch((e) => e)).errors ?? []).map((e: { field: string }) => e.field);
    expect(await fields({})).toEqual(["preset", "datasetMix"]);
    // nlst is a catalog entry nobody has files of (no published version): nothing a worker could train on.
    expect(await fields({ preset: "tiny", datasetMix: [{ dataset: "nlst", weight: 1 }], config: { lr: 1 } })).toEqual(["config", "datasetMix.0.dataset"]);
    expect(await fields({ driver: "script", preset: "tiny", config: { lr: 1 } })).toEqual(["config"]);
    const script = await createRun(ctx, ZCreateRun.parse({ name: "mine", driver: "script", config: { lr: 1, nested: { a: [1] } } }));
    expect(script).toMatchObject({ status: "RUNNING", driver: "SCRIPT", preset: "custom", config: { lr: 1, nested: { a: [1] } } });
  });

  it("computes the license of a mix and normalizes weights", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx, { datasetMix: [{ dataset: "ct-rate", weight: 3 }, { dataset: "nlst", weight: 1 }] });
    expect(run.license).toMatch(/^non-commercial, share-alike \(CT-RATE: CC BY-NC-SA 4.0\)/);
    expect((run.datasetMix as { weight: number }[]).map((m) => m.weight)).toEqual([0.75, 0.25]);
    expect(run.config).toMatchObject({ preset: "tiny", learningRate: 1.5e-4, crop: [64, 64, 32] });
  });

  it("records every transition and refuses illegal ones", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx);
    await expect(transitionRun(ctx, run.id, { to: "SUCCEEDED", reason: "" })).rejects.toMatchObject({ status: 409 });
    await transitionRun(ctx, run.id, { to: "STARTING", reason: "claimed" });
    await transitionRun(ctx, run.id, { to: "RUNNING", reason: "" });
    await cancelRun(ctx, run.id);
    await expect(transitionRun(ctx, run.id, { to: "RUNNING", reason: "" })).rejects.toMatchObject({ status: 409 });
    const events = await db.runEvent.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => `${e.from}>${e.to}`)).toEqual(["null>QUEUED", "QUEUED>STARTING", "STARTING>RUNNING", "RUNNING>CANCELLED"]);
    const after = await db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.startedAt).not.toBeNull();
    expect(after.finishedAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { targetId: run.id, action: { startsWith: "run." } } })).toBe(4);
  });

  it("only the owner or an admin may change a run; other researchers get 403", async () => {
    const owner = await makeUser("RESEARCHER");
    const other = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    const run = await makeRun(owner.ctx);
    await expect(cancelRun(other.ctx, run.id)).rejects.toThrow(/not allowed/);
    await expect(archiveRun(other.ctx, run.id)).rejects.toThrow(/not allowed/);
    await expect(ingestMetrics(other.ctx, run.id, [{ key: "loss", step: 1n, value: 1, ts: 0 }])).rejects.toThrow(/not allowed/);
    await cancelRun(admin.ctx, run.id);
  });

  it("a lost lease makes the run LOST, then requeues it by its retry policy", async () => {
    const { ctx, user } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx, { retry: { maxAttempts: 1, resumeFromCheckpoint: true } });
    await transitionRun(ctx, run.id, { to: "STARTING", reason: "" });
    await transitionRun(ctx, run.id, { to: "RUNNING", reason: "" });
    const worker = await db.worker.create({ data: { name: `w-${user.id}` } });
    await db.lease.create({ data: { runId: run.id, workerId: worker.id, epoch: 1, expiresAt: new Date(Date.now() - 1000) } });
    await sweepExpiredLeases();
    const events = await db.runEvent.findMany({ where: { runId: run.id }, orderBy: { id: "asc" } });
    expect(events.slice(-2).map((e) => e.to)).toEqual(["LOST", "QUEUED"]);
    expect((await db.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("QUEUED");
    expect((await sweepExpiredLeases()).lost).toBe(0);
  });

  it("a run logging without a lease is LOST after it goes silent, and stays RUNNING while it writes", async () => {
    const { ctx } = await makeUser("RESEARCHER");
    const silent = await makeRun(ctx);
    const busy = await makeRun(ctx);
    for (const r of [silent, busy]) {
      await transitionRun(ctx, r.id, { to: "STARTING", reason: "" });
      await transitionRun(ctx, r.id, { to: "RUNNING", reason: "" });
    }
    const old = new Date(Date.now() - 60 * 60_000);
    await db.run.updateMany({ where: { id: { in: [silent.id, busy.id] } }, data: { lastActivityAt: old, statusChangedAt: old } });
    await ingestMetrics(ctx, busy.id, [{ key: "loss", step: 1n, value: 1, ts: Date.now() }]);
    await sweepExpiredLeases();
    expect((await db.run.findUniqueOrThrow({ where: { id: silent.id } })).status).toBe("LOST");
    expect((await db.run.findUniqueOrThrow({ where: { id: busy.id } })).status).toBe("RUNNING");
    const ev = await db.runEvent.findFirstOrThrow({ where: { runId: silent.id, to: "LOST" } });
    expect(ev.reason).toMatch(/no metrics, logs or status change for 15 minutes/);
  });

  it("lists with filters and keyset paging that neither skips nor repeats", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const tag = `t${Date.now()}`;
    for (let i = 0; i < 7; i++) await makeRun(ctx, { name: `paged ${i}`, tags: [tag] });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(actor, ZRunListQuery.parse({ tag, limit: 3, sort: "name", order: "asc", ...(cursor ? { cursor } : {}) }));
      seen.push(...page.runs.map((r) => r.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `paged ${i}`));
    const forged = Buffer.from(JSON.stringify({ v: "not a date", id: "x" })).toString("base64url");
    await expect(listRuns(actor, ZRunListQuery.parse({ cursor: forged }))).rejects.toMatchObject({ status: 400 });
    const mine = await listRuns(actor, ZRunListQuery.parse({ owner: "me", q: "paged 3" }));
    expect(mine.runs.map((r) => r.name)).toEqual(["paged 3"]);
  });

  it("archive hides a run; delete removes it with its metrics", async () => {
    const { ctx, actor } = await makeUser("RESEARCHER");
    const run = await makeRun(ctx, { name: "to delete", tags: ["del"] });
    await ingestMetrics(ctx, run.id, Array.from({ length: 100 }, (_, i) => ({ key: "loss", step: BigInt(i), value: i, ts: i })));
    await archiveRun(ctx, run.id);
    expect((await listRuns(actor, ZRunListQuery.parse({ tag: "del" }))).runs).toHaveLength(0);
    expect((await listRuns(actor, ZRunListQuery.parse({ tag: "del", archived: "true" }))).runs).toHaveLength(1);
    await archiveRun(ctx, run.id, false);
    expect((await listRuns(actor, ZRunListQuery.parse({ tag: "del" }))).runs).toHaveLength(1);
    await expect(deleteRun(ctx, run.id)).rejects.toMatchObject({ status: 409 });
    await cancelRun(ctx, run.id);
    const keyIds = (await db.metricKey.findMany({ where: { runId: run.id } })).map((k) => k.id);
    await deleteRun(ctx, run.id);
    expect(await db.run.count({ where: { id: run.id } })).toBe(0);
    expect(await db.metricPoint.count({ where: { keyId: { in: keyIds } } })).toBe(0);
    expect(await db.metricRollup.count({ where: { keyId: { in: keyIds } } })).toBe(0);
  });
});
