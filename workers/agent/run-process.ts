// One run on this machine: prepare its directory, start the trainer, ship what it writes (metrics, stdout,
// stderr, checkpoints) under the run's lease epoch, and report how it ended. Every call carries the epoch: when the
// server answers 409 (another lease took the run over), the trainer is stopped and nothing more is sent. A lease
// that merely lapsed (the server was out of reach) stops the trainer too, but what it wrote is still sent: the
// server takes it from the run's newest lease until someone else takes the run over.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { statfs } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ZIngestResult } from "../../lib/schemas/metrics";
import { ZRunSummary } from "../../lib/schemas/run";
import { ZCheckpointList, type ZRunSpec } from "../../lib/schemas/worker";
import { ApiError, type Api } from "./api";
import { downloadCheckpoint, localCheckpointStep, markUploaded, packCheckpoint, pruneUploaded, RefusedError, sha256File, uploadFile, type Conn } from "./checkpoints";
import { childEnvironment } from "./child-env";
import { startLocal, startSlurm, type Execution, type SlurmOptions } from "./executions";
import { launchLine, type Executor } from "./executors";
import { materializeVolumes } from "./volumes";
import { loadState, readNewLines, saveState, toPoints, type ShipState } from "./run-files";

type Spec = z.output<typeof ZRunSpec>;
export type Ending = "succeeded" | "failed" | "cancelled" | "lost-lease" | "preempted" | "lease lapsed, output sent";
/** Why a run is stopped from outside its trainer. "lost-lease": another lease took the run over, nothing more is
 * sent; "lapsed": this agent's lease ran out, the trainer checkpoints and everything it wrote is still sent. */
type StopReason = "cancelled" | "lost-lease" | "lapsed" | "preempted" | "disk-full";

const BATCH_POINTS = 10_000;
const LOG_READ = 512 * 1024;
const STOP_GRACE_MS = 10_000;
const ZLogAnswer = z.object({ accepted: z.number(), inserted: z.number() });

export class RunProcess {
  readonly runDir: string;
  private execution?: Execution;
  private state: ShipState;
  private stopReason?: StopReason;
  /** When the lease ends unless renewed, on this machine's clock (a renewal counts from when it was asked for). */
  private leaseDeadline = Infinity;
  private diskFull = "";
  private exited?: Promise<number | null>;

  private uploading?: Promise<void>;
  private diskCheckedAt = 0;
  /** Once the trainer has exited, a last log line without '\n' is shipped as it is. */
  private trainerExited = false;
  private uploadError?: Error;

  constructor(readonly spec: Spec, private readonly api: Api, private readonly o: { workDir: string; python: string; executor: Executor; conn: Conn; slurm?: SlurmOptions; minFreeMb: number; log: (l: string) => void }) {
    // The run id comes from the server's answer, validated as an id: it can't climb out of the work dir.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.runId)) throw new Error(`unexpected run id ${JSON.stringify(spec.runId)}`);
    this.runDir = path.join(o.workDir, "runs", spec.runId);
    mkdirSync(path.join(this.runDir, "agent"), { recursive: true });
    const saved = loadState(this.runDir);
    // Uploads begun under an earlier lease can't be continued under this one: they start over.
    this.state = saved.epoch === spec.epoch ? saved : { ...saved, uploadUrls: {}, epoch: spec.epoch };
    // Log sequence numbers are the run's, not this machine's: go on after what any earlier attempt sent.
    this.state.logSeq = Math.max(this.state.logSeq, spec.nextLogSeq);
  }

  get id() {
    return this.spec.runId;
  }

  /** The server renewed the lease: it lasts the TTL from when the renewal was asked for (a conservative bound). */
  leaseRenewed(askedAt: number) {
    this.leaseDeadline = askedAt + this.spec.leaseTtlSeconds * 1000;
  }

  /** The lease ran out before a renewal reached the server (and nothing stops the run yet). */
  leaseLapsed() {
    return !this.stopReason && Date.now() > this.leaseDeadline;
  }

  /** Asks the trainer to stop (SIGTERM or scancel, then SIGKILL after a grace period); `run()` then ends with `why`.
   * A run already stopping learns only that it was taken over (nothing more is to be sent). */
  stop(why: StopReason) {
    if (this.stopReason) {
      if (why === "lost-lease") this.stopReason = why;
      return;
    }
    this.stopReason = why;
    const ex = this.execution;
    if (!ex) return;
    ex.terminate();
    setTimeout(() => ex.kill(), STOP_GRACE_MS).unref();
  }

  async run(): Promise<Ending> {
    const { spec, runDir } = this;
    writeFileSync(path.join(runDir, "agent", "config.json"), JSON.stringify(spec.trainer, null, 2));
    let manifest: Spec["manifest"];
    try {
      manifest = await materializeVolumes(this.o.conn, path.join(this.o.workDir, "volumes"), spec.runId, spec.manifest, (l) => this.note(l));
    } catch {
      return "lost-lease";
    }
    writeFileSync(path.join(runDir, "agent", "manifest.json"), JSON.stringify(manifest, null, 2));
    if (!spec.resume) {
      // The run's policy says start over: what an earlier attempt left here is not resumed.
      rmSync(path.join(runDir, "checkpoints"), { recursive: true, force: true });
      rmSync(path.join(runDir, "final.json"), { force: true });
    } else if (spec.checkpoint && (localCheckpointStep(runDir) ?? -1) < spec.checkpoint.step) {
      try {
        await this.note(`fetching the checkpoint of step ${spec.checkpoint.step} (${(spec.checkpoint.bytes / 2 ** 20).toFixed(1)} MiB) from the server`);
        await downloadCheckpoint(this.o.conn, runDir, spec.runId, spec.checkpoint);
      } catch (e) {
        if (e instanceof RefusedError) return "lost-lease";
        // Starting over would overwrite the server's checkpoints and points of the same steps: hand it back.
        await this.note(`could not fetch the checkpoint of step ${spec.checkpoint.step}: ${(e as Error).message}; handing the run back`);
        await this.transitionSafely("PREEMPTED", `this worker could not fetch the checkpoint of step ${spec.checkpoint.step}`);
        return "preempted";
      }
    }
    const from = spec.resume ? localCheckpointStep(runDir) : null;
    try {
      await this.transition("RUNNING", from !== null ? `resuming from its last checkpoint (step ${from})` : "trainer started");
    } catch (e) {
      if (e instanceof ApiError && (e.status === 409 || e.status === 403)) return "lost-lease";
      throw e;
    }
    const resume = from !== null;
    if (this.state.pendingUploads.length) this.startUploads(); // left by an agent that stopped before sending them
    const launch = launchLine(this.o.executor === "slurm" ? "local" : this.o.executor, { python: this.o.python, runDir, resume, gpuIndices: spec.gpuIndices });
    try {
      this.execution =
        this.o.executor === "slurm"
          ? await startSlurm({ runId: spec.runId, runDir, launch, env: { ...launch.env, HOUNSFIELD_RUN_ID: spec.runId }, gpus: spec.gpuIndices.length, slurm: this.o.slurm ?? { gpusPerNode: 8 } })
          : startLocal(launch, runDir, { ...childEnvironment(process.env), HOUNSFIELD_RUN_ID: spec.runId });
    } catch (e) {
      await this.transitionSafely("FAILED", `could not start the trainer: ${(e as Error).message}`.slice(0, 2000));
      return "failed";
    }
    if (this.o.executor === "slurm") await this.note(`submitted as ${this.execution.label}`);
    this.exited = this.execution.exited;
    if (this.stopReason) {
      // Asked to stop while the trainer was being started (a cancel during the download or sbatch): stop it now.
      const ex = this.execution;
      ex.terminate();
      setTimeout(() => ex.kill(), STOP_GRACE_MS).unref();
    }
    let code: number | null | undefined;
    while (code === undefined) {
      code = await Promise.race([this.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
      if (this.stopReason === "lost-lease") break;
      await this.shipSafely();
      await this.checkDisk();
    }
    if (this.stopReason === "lost-lease") {
      await this.exited;
      return "lost-lease";
    }
    this.trainerExited = true;
    if (this.stopReason === "cancelled") {
      // Its lease ended with the cancellation: whatever the server still takes is a bonus, nothing is waited for.
      await this.shipSafely(true);
      return "cancelled";
    }
    if ((await this.drainAll()) === "lost") return "lost-lease";
    // The checkpoints are what a finished run leaves behind: all of them reach the server before its end is told.
    if ((await this.finishUploads()) === "lost") return "lost-lease";
    pruneUploaded(runDir, Number(spec.trainer.keep_checkpoints ?? 3));
    if (this.stopReason === "lapsed") {
      // Taken only while the lease is still live after all (the server never noticed); otherwise the server has
      // marked the run LOST and requeued it by its policy, and it resumes from the checkpoint just sent.
      await this.transitionSafely("PREEMPTED", `this worker could not renew its lease for ${spec.leaseTtlSeconds} s; the trainer was stopped and its output sent`);
      return "lease lapsed, output sent";
    }
    if (this.stopReason === "preempted") {
      await this.transitionSafely("PREEMPTED", "the agent was asked to stop; the run goes back to the queue");
      return "preempted";
    }
    if (this.stopReason === "disk-full") {
      await this.transitionSafely("FAILED", this.diskFull);
      return "failed";
    }
    const final = readJson(path.join(runDir, "final.json"));
    // Stopped from outside (a Slurm preemption's SIGTERM): it saved the step it reached, which is uploaded by now,
    // so the run goes back to the queue and resumes from there.
    if (final?.status === "preempted") {
      await this.transitionSafely("PREEMPTED", `the trainer was stopped (SIGTERM) and saved step ${final.step ?? "?"}; the run goes back to the queue`);
      return "preempted";
    }
    if (code === 0 && final?.status === "succeeded") {
      await this.transitionSafely("SUCCEEDED", `finished at step ${final.step ?? "?"}`);
      return "succeeded";
    }
    const reason = typeof final?.reason === "string" ? final.reason : `the trainer exited with ${code === null ? "a signal" : `status ${code}`}`;
    await this.transitionSafely("FAILED", `${reason}${tail(path.join(runDir, "stderr.log"))}`.slice(0, 2000));
    return "failed";
  }

  /** A run directory whose disk fills up fails its run (saying so) before it takes the agent, or the machine, with
   * it: checked every few seconds against --min-free-mb. */
  private async checkDisk() {
    const now = Date.now();
    if (now - this.diskCheckedAt < 5000) return;
    this.diskCheckedAt = now;
    const fs = await statfs(this.runDir).catch(() => null);
    if (!fs) return;
    const freeMb = (fs.bavail * fs.bsize) / 2 ** 20;
    if (freeMb >= this.o.minFreeMb) return;
    this.diskFull = `the disk holding the run directory is full (${freeMb.toFixed(0)} MB free, at least ${this.o.minFreeMb} MB needed); the trainer was stopped`;
    this.o.log(`run ${this.spec.runId}: ${this.diskFull}`);
    this.stop("disk-full");
  }

  /** Ships what is new: "done" when nothing is left, "offline" when the server could not be reached (everything
   * unacknowledged stays on disk for the next try), "lost" when the lease is no longer ours (the run is stopped). */
  private async shipSafely(drain = false): Promise<"done" | "offline" | "lost"> {
    try {
      for (;;) {
        const metrics = await this.shipMetrics();
        const logs = await this.shipLogs();
        if (!metrics && !logs) return "done";
        if (!drain) return "done";
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 409 || e.status === 403 || e.status === 404)) {
        this.o.log(`run ${this.spec.runId}: ${e.message}; stopping it`);
        this.stop("lost-lease");
        return "lost";
      }
      if (e instanceof ApiError) {
        this.o.log(`run ${this.spec.runId}: ${e.message}`);
        return "done";
      }
      return "offline";
    }
  }

  /** After the trainer exits: everything it wrote reaches the server before the run's end is reported, however
   * long the server is away. It is taken as long as this lease is the run's newest; once another worker has taken
   * the run over the server answers 409, and that worker replaces these steps from the server's last checkpoint. */
  private async drainAll() {
    for (let wait = 1000; ; wait = Math.min(wait * 2, 10_000)) {
      const r = await this.shipSafely(true);
      if (r !== "offline") return r;
      await new Promise((res) => setTimeout(res, wait));
    }
  }

  /** Uploads pending checkpoints one after the other, in the background of the shipping loop. */
  private startUploads() {
    this.uploading ??= this.uploadPending()
      .catch((e) => {
        this.uploadError = e as Error;
        if (e instanceof RefusedError && [403, 404, 409].includes(e.status)) this.stop("lost-lease");
      })
      .finally(() => {
        this.uploading = undefined;
      });
  }

  private async uploadPending() {
    while (this.state.pendingUploads.length && this.stopReason !== "lost-lease") {
      const step = this.state.pendingUploads[0];
      const tarFile = await packCheckpoint(this.runDir, step);
      if (tarFile) {
        const meta = { runId: this.spec.runId, epoch: String(this.spec.epoch), step: String(step), sha256: await sha256File(tarFile), filename: `step-${step}.tar` };
        await uploadFile(this.o.conn, tarFile, meta, this.state.uploadUrls[step], (url) => {
          this.state = { ...this.state, uploadUrls: { ...this.state.uploadUrls, [step]: url } };
          saveState(this.runDir, this.state);
        });
        // "Uploaded" is what the server lists, not what tus said: a finish that failed on the server after the
        // last byte arrived looks complete to the client.
        const stored = await this.api.call(ZCheckpointList, "GET", `/runs/${this.spec.runId}/checkpoints`, undefined, { retryForMs: 60_000 }).catch((e) => {
          throw e instanceof ApiError ? new RefusedError(e.status, e.message) : e;
        });
        if (!stored.checkpoints.some((c) => c.step === step && c.sha256 === meta.sha256)) {
          const { [step]: _stale, ...rest } = this.state.uploadUrls;
          this.state = { ...this.state, uploadUrls: rest }; // start that upload over
          saveState(this.runDir, this.state);
          throw new Error(`checkpoint of step ${step} was sent but the server did not keep it`);
        }
        // From now on the trainer's keep_checkpoints may delete it: the server has it.
        markUploaded(this.runDir, step, meta.sha256);
        rmSync(tarFile, { force: true });
      } else {
        await this.note(`checkpoint of step ${step} was removed before it could be uploaded (keep_checkpoints): skipped`);
      }
      const { [step]: _done, ...urls } = this.state.uploadUrls;
      this.state = { ...this.state, pendingUploads: this.state.pendingUploads.slice(1), uploadUrls: urls };
      saveState(this.runDir, this.state);
    }
  }

  /** Waits for every pending checkpoint to reach the server: outages are retried (the lease bounds how long),
   * a checkpoint that keeps failing for another reason is given up after a few tries and said so in the log;
   * "lost" when the lease is no longer ours. */
  private async finishUploads(): Promise<"done" | "lost"> {
    let tries = 0;
    for (let wait = 1000; this.state.pendingUploads.length; wait = Math.min(wait * 2, 10_000)) {
      if (this.stopReason === "lost-lease") return "lost";
      this.uploadError = undefined;
      this.startUploads();
      await this.uploading;
      const e = this.uploadError as Error | undefined;
      if (!e) continue;
      if (e instanceof RefusedError && [403, 404, 409].includes(e.status)) return "lost";
      const offline = !(e instanceof RefusedError) && !/ENOSPC|EACCES|EROFS/.test(e.message) && !/\b507\b/.test(e.message);
      if (!offline || ++tries >= 8) {
        await this.note(`checkpoint of step ${this.state.pendingUploads[0]} could not be uploaded, given up: ${e.message.slice(0, 300)}`);
        this.state = { ...this.state, pendingUploads: this.state.pendingUploads.slice(1) };
        saveState(this.runDir, this.state);
        tries = 0;
        continue;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
    return "done";
  }

  /** Returns true when there may be more to send right away. */
  private async shipMetrics() {
    const s = this.state;
    const read = readNewLines(path.join(this.runDir, "metrics.jsonl"), s.metricsOffset, s.metricsLine);
    if (!read.lines.length) return false;
    const { points, malformed, checkpoints } = toPoints(read.lines);
    for (let i = 0; i < points.length; i += BATCH_POINTS) {
      const body = { points: points.slice(i, i + BATCH_POINTS), epoch: this.spec.epoch };
      try {
        await this.api.call(ZIngestResult, "POST", `/runs/${this.spec.runId}/metrics`, body, { retryForMs: 5_000 });
      } catch (e) {
        // A batch the server refuses as invalid is reported and passed over, or it would hold back every later one.
        if (!(e instanceof ApiError) || e.status !== 400) throw e;
        const where = e.problem.errors?.slice(0, 3).map((x) => `${x.field}: ${x.message}`).join("; ") ?? e.message;
        await this.note(`metrics.jsonl lines ${read.lines[0].no}–${read.lines.at(-1)!.no}: the server refused ${body.points.length} points (${where}); skipped`);
      }
    }
    if (malformed.length) {
      await this.note(malformed.slice(0, 50).map((m) => `metrics.jsonl line ${m.line}: ${m.message} (skipped)`).join("\n") + (malformed.length > 50 ? `\n… and ${malformed.length - 50} more` : ""));
    }
    this.state = { ...this.state, metricsOffset: read.offset, metricsLine: read.lineNo, pendingUploads: [...this.state.pendingUploads, ...checkpoints.filter((c) => !this.state.pendingUploads.includes(c))] };
    saveState(this.runDir, this.state);
    if (checkpoints.length) this.startUploads();
    return true;
  }

  /** Log posts one at a time (the shipping loop, the uploader's notes): each takes the next sequence number. */
  private logQueue: Promise<unknown> = Promise.resolve();
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.logQueue.then(fn, fn);
    this.logQueue = next.catch(() => undefined);
    return next;
  }

  private shipLogs() {
    return this.serially(() => this.shipLogsNow());
  }

  private async shipLogsNow() {
    let sent = false;
    for (const stream of ["stdout", "stderr"] as const) {
      const key = stream === "stdout" ? "stdoutOffset" : "stderrOffset";
      const file = path.join(this.runDir, `${stream}.log`);
      const read = readNewLines(file, this.state[key], 0, LOG_READ, this.trainerExited);
      if (!read.lines.length) continue;
      const seq = this.state.logSeq;
      await this.api.call(ZLogAnswer, "POST", `/runs/${this.spec.runId}/logs`, { chunks: [{ seq, stream, text: read.lines.map((l) => l.text).join("\n") + "\n" }], epoch: this.spec.epoch }, { retryForMs: 5_000 });
      this.state = { ...this.state, [key]: read.offset, logSeq: seq + 1 };
      saveState(this.runDir, this.state);
      sent = true;
    }
    return sent;
  }

  /** A line from the agent itself in the run's log (stderr stream, prefixed). */
  private note(text: string) {
    return this.serially(() => this.noteNow(text));
  }

  private async noteNow(text: string) {
    const seq = this.state.logSeq;
    await this.api.call(ZLogAnswer, "POST", `/runs/${this.spec.runId}/logs`, { chunks: [{ seq, stream: "stderr", text: `[agent] ${text}\n` }], epoch: this.spec.epoch }, { retryForMs: 5_000 }).catch(() => undefined);
    this.state = { ...this.state, logSeq: seq + 1 };
    saveState(this.runDir, this.state);
  }

  private transition(to: "RUNNING" | "SUCCEEDED" | "FAILED" | "PREEMPTED", reason: string) {
    return this.api.call(ZRunSummary, "POST", `/runs/${this.spec.runId}/transitions`, { to, reason, epoch: this.spec.epoch }, { retryForMs: 60_000 });
  }

  private async transitionSafely(to: "SUCCEEDED" | "FAILED" | "PREEMPTED", reason: string) {
    await this.transition(to, reason).catch((e) => this.o.log(`run ${this.spec.runId}: could not report ${to}: ${(e as Error).message}`));
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** The last lines of a log (read from its last 8 KiB), for a failed run's reason. */
function tail(file: string) {
  try {
    const fd = openSync(file, "r");
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, 8192));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      const text = buf.toString("utf8").trimEnd().split("\n").slice(-5).join("\n");
      return text ? `\n${text.slice(-1500)}` : "";
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}
