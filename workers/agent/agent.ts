// The agent's life: register, then heartbeat and claim until asked to stop. Runs are started on disjoint GPUs
// (the server grants them), at most maxRuns at once. SIGTERM hands every run back as PREEMPTED (requeued); the
// server's heartbeat answer stops runs that were cancelled or whose lease was taken away, and a lease this agent
// could not renew in time stops its trainer on the agent's own clock. One agent per work dir and per worker token.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { ZClaimAnswer, ZHeartbeatAnswer, ZWorkerRegistered } from "../../lib/schemas/worker";
import { ApiError, createApi } from "./api";
import type { Executor } from "./executors";
import { listGpus, machineInfo, probePython, sampleGpus } from "./machine";
import { RunProcess } from "./run-process";
import { instanceIdOf, lockWorkDir } from "./work-dir";

export const AGENT_VERSION = "0.1.0";

export type AgentOptions = {
  server: string;
  token: string;
  name?: string;
  gpus: number[] | "all";
  labels: string[];
  executor: Executor;
  workDir: string;
  maxRuns: number;
  python: string;
  /** A run whose directory's disk has less free space than this is stopped and failed. */
  minFreeMb?: number;
  /** For the Slurm executor: GPUs it may hand out in all, per node, and the partition. */
  slurm?: { gpus: number; gpusPerNode: number; partition?: string };
  log?: (line: string) => void;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs until asked to stop; the exit status: 0 when stopped, 1 when the server refused this agent (another agent
 * is attached with the same worker token) or its work dir is another agent's. */
export async function runAgent(o: AgentOptions, stopSignal: AbortSignal): Promise<number> {
  const log = o.log ?? ((l: string) => console.log(`[agent] ${l}`));
  const lock = lockWorkDir(o.workDir);
  if (!lock.ok) {
    log(`cannot start: ${lock.message}`);
    return 1;
  }
  const instanceId = instanceIdOf(o.workDir);
  const api = createApi(o.server, o.token, log);
  // A Slurm worker's GPUs are the cluster's, handed to jobs by count: slots numbered 0..N-1.
  const gpus = o.executor === "slurm" ? Array.from({ length: o.slurm?.gpus ?? 0 }, (_, index) => ({ index, name: "Slurm GPU", memoryBytes: 0 })) : await listGpus(o.gpus);
  const py = await probePython(o.python);
  const m = machineInfo();
  if (py.python === null) log(`${o.python} does not start: runs will fail until --python names a working Python 3`);
  else if (!py.torch) log(`PyTorch is not importable by ${o.python}: runs will fail until it is installed`);
  const registration = {
    name: o.name ?? m.hostname,
    hostname: m.hostname.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 255),
    instanceId,
    gpus,
    labels: o.labels,
    executor: o.executor.toUpperCase() as "LOCAL" | "TORCHRUN" | "SLURM",
    maxRuns: o.maxRuns,
    info: { cpus: m.cpus, memoryBytes: m.memoryBytes, agentVersion: AGENT_VERSION, ...py },
  };
  let reg;
  try {
    reg = await api.call(ZWorkerRegistered, "POST", "/workers", registration);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 409) throw e;
    log(`the server refused this agent: ${e.problem.detail ?? e.message}`);
    return 1;
  }
  log(`registered as worker ${reg.id} (${gpus.length ? `${gpus.length} GPU(s): ${gpus.map((g) => g.name).join(", ")}` : "no GPU"}, ${o.executor})`);
  const running = new Map<string, RunProcess>();
  let draining = false;
  let nextHeartbeat = 0;
  /** Set when the server says another agent is now attached as this worker: runs are handed over, then exit 1. */
  let replaced = false;

  const start = (spec: NonNullable<ReturnType<typeof ZClaimAnswer.parse>["run"]>, claimedAt: number) => {
    const proc = new RunProcess(spec, api, { workDir: o.workDir, python: o.python, executor: o.executor, conn: { server: o.server, token: o.token }, slurm: o.slurm, minFreeMb: o.minFreeMb ?? 1024, log });
    // The lease runs from the claim; each renewal moves this on (see the heartbeat below).
    proc.leaseRenewed(claimedAt);
    // Keyed by lease, not run: a run handed back can come back to this worker while its old trainer still stops.
    const key = `${spec.runId}#${spec.epoch}`;
    running.set(key, proc);
    log(`run ${spec.runId} "${spec.name}": started (lease ${spec.epoch}${spec.gpuIndices.length ? `, GPUs ${spec.gpuIndices.join(",")}` : ""})`);
    proc
      .run()
      .then((ending) => log(`run ${spec.runId}: ${ending}`))
      .catch((e) => log(`run ${spec.runId}: ${(e as Error).message}`))
      .finally(() => {
        running.delete(key);
        nextHeartbeat = 0; // report the free slot and claim again at once
      });
  };

  const aborted = new Promise((r) => stopSignal.addEventListener("abort", r, { once: true }));
  // Asked to stop: every run is handed back (PREEMPTED once its trainer exited and its output is sent), and the
  // heartbeat goes on until then, so a long drain doesn't lose the leases and turn PREEMPTED into LOST.
  let handingBack = false;
  while ((!stopSignal.aborted && !replaced) || running.size) {
    if (stopSignal.aborted && !handingBack) {
      handingBack = true;
      for (const p of running.values()) p.stop("preempted");
    }
    // A lease this agent could not renew within its TTL is the server's to give away: the trainer stops (and
    // checkpoints), and what it wrote is sent once the server answers again.
    for (const p of running.values()) {
      if (p.leaseLapsed()) {
        log(`run ${p.id}: its lease could not be renewed for ${p.spec.leaseTtlSeconds} s; stopping its trainer (what it wrote is sent when the server answers)`);
        p.stop("lapsed");
      }
    }
    if (Date.now() >= nextHeartbeat && !replaced) {
      nextHeartbeat = Date.now() + reg.heartbeatSeconds * 1000;
      const sentAt = Date.now();
      try {
        const samples = o.executor === "slurm" ? [] : await sampleGpus(gpus.map((g) => g.index));
        const beat = await api.call(ZHeartbeatAnswer, "POST", `/workers/${reg.id}/heartbeat`, { instanceId, samples, runs: [...running.values()].map((p) => ({ runId: p.id, epoch: p.spec.epoch })) }, { retryForMs: reg.heartbeatSeconds * 1000 });
        for (const r of beat.runs) {
          const p = running.get(`${r.runId}#${r.epoch}`);
          if (r.action === "continue") p?.leaseRenewed(sentAt);
          else p?.stop(r.cause === "lapsed" ? "lapsed" : r.cause === "cancelled" || r.reason === "cancelled" ? "cancelled" : "lost-lease");
        }
        if (beat.draining !== draining) log(beat.draining ? "draining: no new runs" : "no longer draining");
        draining = beat.draining;
        if (beat.removed) {
          log("this worker was removed by an administrator: stopping");
          for (const p of running.values()) p.stop("lost-lease");
          break;
        }
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          log(`the server refused this agent's token (${e.message}): stopping`);
          for (const p of running.values()) p.stop("lost-lease");
          break;
        }
        if (e instanceof ApiError && e.status === 409) {
          log(`the server refused this agent: ${e.problem.detail ?? e.message}`);
          replaced = true;
          for (const p of running.values()) p.stop("lapsed");
        } else log(`heartbeat: ${(e as Error).message}`);
      }
    }
    if (!handingBack && !replaced && !draining && running.size < o.maxRuns && api.isOnline()) {
      try {
        // One id per claim: the call's own retries resend it, so a lost answer can't cost a second run.
        const claimedAt = Date.now();
        const { run } = await api.call(ZClaimAnswer, "POST", `/workers/${reg.id}/claim`, { instanceId, claimId: randomUUID() }, { retryForMs: 5_000 });
        if (run) {
          start(run, claimedAt);
          continue;
        }
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.problem.title === "Worker token in use") {
          log(`the server refused this agent: ${e.problem.detail ?? e.message}`);
          replaced = true;
        } else log(`claim: ${(e as Error).message}`);
      }
    }
    await (handingBack || replaced ? sleep(200) : Promise.race([sleep(1000), aborted]));
  }
  if (replaced) return 1;
  // Detach, so an agent started elsewhere with this token is taken at once rather than after the lease TTL.
  await api.call(ZHeartbeatAnswer, "POST", `/workers/${reg.id}/heartbeat`, { instanceId, leaving: true }, { retryForMs: 2_000 }).catch(() => undefined);
  log("stopped");
  return 0;
}

export const defaultWorkDir = () => `${os.homedir()}/.cache/hounsfield/agent`;
