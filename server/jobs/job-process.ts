// The job process: everything the web process must not do on its own event loop. It indexes dataset files
// (ingestion jobs), makes previews, volume exports, manifests and release files (queued jobs), sends the mail
// outbox, adds the sample dataset, and runs the periodic sweeps (expired leases, stale runs, pruning). Its state is in PostgreSQL, so a restart loses nothing,
// and several can run against one database (jobs are claimed with SKIP LOCKED under locks that lapse). Files are
// decoded by a separate process with limits (decoder-pool.ts): one for ingestion, one for requests people wait on.
import os from "node:os";
import { env } from "../../lib/env";
import { asImagingError, ImagingError } from "../../lib/imaging/imaging-error";
import { claimJob, failJob, finishJob, JOB_RUNNER_ID, releaseJobs, renewJob, type JobRow } from "../../lib/jobs/queue";
import { startBackgroundTasks } from "../../lib/scheduler/background-tasks";
import { deliverQueuedMail } from "../../lib/services/mail/deliver-queued-mail";
import { claimIngestJob, releaseIngestLocks, runIngestJob, RUNNER_ID } from "../../lib/services/datasets/ingest";
import { FileChangedError } from "../../lib/datasets/file-identity";
import { DomainError } from "../../lib/errors";
import { DecoderPool } from "./decoder-pool";
import { JOB_HANDLERS, type JobWork } from "./handlers";
import { seedSampleWhenReady } from "./sample";

/** The job process yields the CPU to the web process on a shared machine. */
const NICE = 10;
const JOB_LOCK_MS = 60_000;
const IDLE_MS = { ingest: 2000, jobs: 200, mail: 1000 };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      r();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/** Runs `once` until stopped; `once` says whether it found work (if not, the loop waits `idleMs`). */
async function loop(name: string, once: () => Promise<boolean>, idleMs: number, stop: AbortSignal, log: (l: string) => void) {
  // Failures in a row (the database away): said once, then waited out with a growing pause.
  for (let failures = 0; !stop.aborted; ) {
    let worked = false;
    try {
      worked = await once();
      if (failures) log(`${name}: working again`);
      failures = 0;
    } catch (e) {
      if (!failures++) log(`${name}: ${(e as Error).message}`);
    }
    if (!worked) await sleep(failures ? Math.min(10_000, idleMs * 2 ** failures) : idleMs, stop);
  }
}

/** Claims one queued job and runs it: its handler's result, or its failure. A file's own failure (decoding, a
 * changed file, something missing) is final; anything else is marked for another try (requestJob queues it again).
 * False when no job was waiting. */
export async function runOneJob(work: JobWork, runner = JOB_RUNNER_ID) {
  const job = await claimJob(runner, JOB_LOCK_MS);
  if (!job) return false;
  await runJob(job, work, runner);
  return true;
}

async function runJob(job: JobRow, work: JobWork, runner: string) {
  const beat = setInterval(() => void renewJob(job.id, runner, JOB_LOCK_MS).catch(() => undefined), JOB_LOCK_MS / 3);
  beat.unref();
  try {
    const result = await JOB_HANDLERS[job.kind](work, job.payload);
    await finishJob(job.id, runner, result);
  } catch (e) {
    const final = e instanceof ImagingError || e instanceof DomainError;
    const code = e instanceof ImagingError ? e.code : e instanceof FileChangedError ? "changed" : e instanceof DomainError ? "refused" : "retry";
    await failJob(job.id, runner, code, final ? (e as Error).message : `the job failed and will be tried again: ${asImagingError(e).message}`);
  } finally {
    clearInterval(beat);
  }
}

export async function runJobProcess(o: { log: (l: string) => void; stop: AbortSignal }) {
  try {
    os.setPriority(NICE);
  } catch {
    // not permitted: runs at normal priority
  }
  const limits = { memoryMb: env().DECODE_MEMORY_MB, timeoutMs: env().INGEST_FILE_TIMEOUT_SECONDS * 1000 };
  const ingestWork = new DecoderPool(limits, o.log);
  const jobWork = new DecoderPool(limits, o.log);
  const stopTasks = startBackgroundTasks(env().LEASE_SWEEP_SECONDS * 1000, o.log);
  o.log(`job process ${process.pid} ready (decoding limits: ${limits.memoryMb} MiB, ${limits.timeoutMs / 1000} s per file)`);
  await Promise.all([
    loop("dataset ingestion", async () => {
      const job = await claimIngestJob(RUNNER_ID);
      if (!job) return false;
      await runIngestJob(ingestWork, job, RUNNER_ID);
      return true;
    }, IDLE_MS.ingest, o.stop, o.log),
    loop("jobs", () => runOneJob(jobWork), IDLE_MS.jobs, o.stop, o.log),
    // Mail on its own loop: a slow mail server holds up nothing else.
    loop("mail delivery", async () => {
      const r = await deliverQueuedMail();
      return r.sent + r.retrying + r.failed + r.cancelled > 0;
    }, IDLE_MS.mail, o.stop, o.log),
    seedSampleWhenReady(ingestWork, o.stop, o.log),
  ]);
  stopTasks();
  await Promise.all([ingestWork.close(), jobWork.close()]);
  await releaseIngestLocks(RUNNER_ID).catch(() => undefined);
  await releaseJobs(JOB_RUNNER_ID).catch(() => undefined);
}
