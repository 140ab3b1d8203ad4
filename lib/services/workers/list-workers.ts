import "server-only";
import { assertCan, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { workerFacts } from "../../workers/worker-hints";

/** A worker whose last heartbeat is older than this is lost (the same 90 s after which its runs are). */
export const WORKER_LOST_MS = 90_000;

const include = {
  token: { select: { user: { select: { id: true, email: true } } } },
  leases: { where: { releasedAt: null }, include: { run: { select: { id: true, name: true, status: true } } } },
} as const;

type Row = Awaited<ReturnType<typeof loadRows>>[number];
const loadRows = (where: object) => db.worker.findMany({ where, include, orderBy: [{ removedAt: { sort: "desc", nulls: "first" } }, { name: "asc" }], take: 500 });

function toWorker(w: Row, latest: Map<string, { gpu: number; util: number; memUsed: bigint; memTotal: bigint; at: Date }[]>, now: number) {
  const lost = !w.lastHeartbeatAt || now - w.lastHeartbeatAt.getTime() > WORKER_LOST_MS;
  const status = w.removedAt ? "removed" : lost ? "lost" : w.draining ? "draining" : w.leases.length ? "busy" : "idle";
  return {
    id: w.id,
    name: w.name,
    hostname: w.hostname,
    status,
    owner: w.token?.user ?? null,
    labels: w.labels,
    executor: w.executor,
    maxRuns: w.maxRuns,
    gpus: w.gpus as { index: number; name: string; memoryBytes: number }[],
    info: workerFacts(w.info),
    lastHeartbeatAt: w.lastHeartbeatAt?.toISOString() ?? null,
    createdAt: w.createdAt.toISOString(),
    runs: w.leases.map((l) => ({ id: l.run.id, name: l.run.name, status: l.run.status, epoch: l.epoch, gpuIndices: l.gpuIndices })),
    latest: (latest.get(w.id) ?? []).map((s) => ({ gpu: s.gpu, util: s.util, memUsed: Number(s.memUsed), memTotal: Number(s.memTotal), at: s.at.toISOString() })),
  } as const;
}

async function latestSamples(ids: string[]) {
  if (!ids.length) return new Map();
  const rows = await db.$queryRaw<{ workerId: string; gpu: number; util: number; memUsed: bigint; memTotal: bigint; at: Date }[]>`
    SELECT DISTINCT ON ("workerId", gpu) "workerId", gpu, util, "memUsed", "memTotal", at FROM "WorkerSample"
    WHERE "workerId" = ANY(${ids}) AND at > (now() AT TIME ZONE 'UTC') - interval '5 minutes' ORDER BY "workerId", gpu, at DESC`;
  const m = new Map<string, typeof rows>();
  for (const r of rows) m.set(r.workerId, [...(m.get(r.workerId) ?? []), r]);
  return m;
}

export async function listWorkers(actor: Actor, includeRemoved = false) {
  assertCan(actor, "worker:read");
  const rows = await loadRows(includeRemoved ? {} : { removedAt: null });
  const latest = await latestSamples(rows.map((r) => r.id));
  const now = Date.now();
  return rows.map((r) => toWorker(r, latest, now));
}

export async function getWorker(actor: Actor, id: string) {
  assertCan(actor, "worker:read");
  const [row] = await loadRows({ id });
  if (!row) throw notFound("Worker");
  return toWorker(row, await latestSamples([id]), Date.now());
}

/** The last hour of one worker's GPU samples, for its charts (at most 64 GPUs × 360 heartbeats). */
export async function workerSamples(actor: Actor, id: string) {
  assertCan(actor, "worker:read");
  const rows = await db.$queryRaw<{ gpu: number; util: number; memUsed: bigint; memTotal: bigint; at: Date }[]>`
    SELECT gpu, util, "memUsed", "memTotal", at FROM "WorkerSample"
    WHERE "workerId" = ${id} AND at > (now() AT TIME ZONE 'UTC') - interval '1 hour' ORDER BY at LIMIT 23040`;
  return rows.map((s) => ({ gpu: s.gpu, util: s.util, memUsed: Number(s.memUsed), memTotal: Number(s.memTotal), at: s.at.toISOString() }));
}
