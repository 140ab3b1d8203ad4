// The agent's life: register, then heartbeat and claim until asked to stop. Runs are started on disjoint GPUs
// (the server grants them), at most maxRuns at once. SIGTERM hands every run back as PREEMPTED (requeued); the
// server's heartbeat answer stops runs that were cancelled or whose lease was taken away.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { ZClaimAnswer, ZHeartbeatAnswer, ZWorkerRegistered } from "../../lib/schemas/worker";
import { ApiError, createApi } from "./api";
import type { Executor } from "./executors";
import { listGpus, machineInfo, probePython, sampleGpus } from "./machine";
import { RunProcess } from "./run-process";

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

export async function runAgent(o: AgentOptions, stopSignal: AbortSignal) {
  const log = o.log ?? ((l: string) => console.log(`[agent] ${l}`));
  const api = createApi(o.server, o.token, log);
  // A Slurm worker's GPUs are the cluster's, handed to jobs by count: slots numbered 0..N-1.
  const gpus = o.executor === "slurm" ? Array.from({ length: o.slurm?.gpus ?? 0 }, (_, index) => ({ index, name: "Slurm GPU", memoryBytes: 0 })) : await listGpus(o.gpus);
  const py = await probePython(o.python);
  const m = machineInfo();
  if (!py.torch) log(`PyTorch is not importable by ${o.python}: runs will fail until it is installed (${py.torchHint})`);
  const registration = {
    name: o.name ?? m.hostname,
    hostname: m.hostname,
    gpus,
    labels: o.labels,
    executor: o.executor.toUpperCase() as "LOCAL" | "TORCHRUN" | "SLURM",
    maxRuns: o.maxRuns,
    info: { cpus: m.cpus, memoryBytes: m.memoryBytes, agentVersion: AGENT_VERSION, ...py },
  };
  const reg = await api.call(ZWorkerRegistered, "POST", "/workers", registration);
  log(`registered as worker ${reg.id} (${gpus.length ? `${gpus.length} GPU(s): ${gpus.map((g) => g.name).join(", ")}` : "no GPU"}, ${o.executor})`);
  const running = new Map<string, RunProcess>();
  let draining = false;
  let nextHeartbeat = 0;

  const start = (spec: NonNullable<ReturnType<typeof ZClaimAnswer.parse>["run"]>) => {
    const proc = new RunProcess(spec, api, { workDir: o.workDir, python: o.python, executor: o.executor, conn: { server: o.server, token: o.token }, slurm: o.slurm, minFreeMb: o.minFreeMb ?? 1024, log });
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
  while (!stopSignal.aborted || running.size) {
    if (stopSignal.aborted && !handingBack) {
      handingBack = true;
      for (const p of running.values()) p.stop("preempted");
    }
    if (Date.now() >= nextHeartbeat) {
      nextHeartbeat = Date.now() + reg.heartbeatSeconds * 1000;
      try {
        const samples = o.executor === "slurm" ? [] : await sampleGpus(gpus.map((g) => g.index));
        const beat = await api.call(ZHeartbeatAnswer, "POST", `/workers/${reg.id}/heartbeat`, { samples, runs: [...running.values()].map((p) => ({ runId: p.id, epoch: p.spec.epoch })) }, { retryForMs: reg.heartbeatSeconds * 1000 });
        for (const r of beat.runs) if (r.action === "stop") running.get(`${r.runId}#${r.epoch}`)?.stop(r.reason === "cancelled" ? "cancelled" : "lost-lease");
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
        log(`heartbeat: ${(e as Error).message}`);
      }
    }
    if (!handingBack && !draining && running.size < o.maxRuns && api.isOnline()) {
      try {
        // One id per claim: the call's own retries resend it, so a lost answer can't cost a second run.
        const { run } = await api.call(ZClaimAnswer, "POST", `/workers/${reg.id}/claim`, { claimId: randomUUID() }, { retryForMs: 5_000 });
        if (run) {
          start(run);
          continue;
        }
      } catch (e) {
        log(`claim: ${(e as Error).message}`);
      }
    }
    await (handingBack ? sleep(200) : Promise.race([sleep(1000), aborted]));
  }
  log("stopped");
}

export const defaultWorkDir = () => `${os.homedir()}/.cache/hounsfield/agent`;
