// Decoding under limits. Files come from people and machines we don't control: a codestream can claim a far larger
// image than its header, a gzip stream can inflate without end, a decoder can loop. So every decode runs in a child
// process (server/jobs/decoder-child.ts) with a V8 heap limit, a resident-memory cap watched from here, and a time
// limit; a child over a limit is killed, the task fails with that file's coded error, and the next task gets a new
// child. WebAssembly memory a codec grew never shrinks; in a child it is returned to the system when the child goes.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FileProblem } from "../../lib/imaging/dicom-series";
import type { IndexedVolume, InputFile } from "../../lib/imaging/index-files";
import { ImagingError, type ImagingErrorCode } from "../../lib/imaging/imaging-error";
import { PlaneCollector } from "../../lib/imaging/planes";
import type { ExportTask, ImagingWork } from "../../lib/imaging/work";
import type { DecoderReply, DecoderTask } from "./decoder-messages";

export type DecoderLimits = {
  /** Resident memory of the decoding process, in MiB; its V8 heap gets half. */
  memoryMb: number;
  /** One task (a NIfTI file, a DICOM series, an export). */
  timeoutMs: number;
};

const ENTRY = path.join(import.meta.dirname, "decoder-entry.mjs");
const WATCH_MS = 25;
/** Decoders run behind everything the machine serves. */
const NICE = 15;

type Pending = { task: DecoderTask; resolve: (v: unknown) => void; reject: (e: Error) => void; child?: ChildProcess };

function rssMb(pid: number) {
  try {
    // statm's second field: resident pages.
    return (Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096) / 2 ** 20;
  } catch {
    return 0;
  }
}

type RawVolume = Omit<IndexedVolume, "planes"> & { planes: Uint8Array };

export class DecoderPool implements ImagingWork {
  private child: ChildProcess | null = null;
  private queue: Pending[] = [];
  private current: Pending | null = null;
  private nextId = 1;
  private closed = false;
  /** How many decoding processes were started (a fresh one after each one killed). */
  started = 0;

  constructor(private readonly limits: DecoderLimits, private readonly log: (line: string) => void = () => {}) {}

  async index(files: InputFile[]): Promise<{ volumes: IndexedVolume[]; problems: FileProblem[] }> {
    try {
      const r = (await this.run({ id: 0, op: "index", files })) as { volumes: RawVolume[]; problems: { file: string; code: ImagingErrorCode; message: string }[] };
      return {
        volumes: r.volumes.map((v) => ({ ...v, planes: PlaneCollector.deserialize(Buffer.from(v.planes.buffer, v.planes.byteOffset, v.planes.byteLength)) })),
        problems: r.problems.map((p) => ({ file: p.file, error: new ImagingError(p.code, p.message) })),
      };
    } catch (e) {
      // Over a limit, the whole batch shares the reason: the decoder could not say which file it was on.
      if (e instanceof ImagingError) return { volumes: [], problems: files.map((f) => ({ file: f.path, error: e })) };
      throw e;
    }
  }

  async exportNifti(task: ExportTask) {
    return (await this.run({ id: 0, op: "export", task })) as { sha256: string; bytes: number };
  }

  /** Stops the decoding process; later tasks are refused. */
  async close() {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error("the decoder was closed"));
    this.current?.reject(new Error("the decoder was closed"));
    this.current = null;
    const c = this.child;
    this.child = null;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once("exit", r));
      c.kill("SIGKILL");
      await gone;
    }
  }

  private run(task: DecoderTask): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("the decoder was closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { ...task, id: this.nextId++ }, resolve, reject });
      this.pump();
    });
  }

  private spawnChild() {
    const heapMb = Math.max(64, Math.floor(this.limits.memoryMb / 2));
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ENTRY], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
      // Nothing of the server's environment is needed to decode a file, secrets least of all.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production" },
    });
    if (child.pid) {
      try {
        os.setPriority(child.pid, NICE);
      } catch {
        // not permitted here: it runs at the job process's priority
      }
    }
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on("message", (m: DecoderReply | { ready: true }) => {
      if (!("id" in m) || this.current?.child !== child || this.current.task.id !== m.id) return;
      const p = this.current;
      this.finishCurrent();
      if (m.ok) p.resolve(m.value);
      else p.reject(new ImagingError(m.code as ImagingErrorCode, m.message));
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = null;
      // Only the task this child was running: one killed for a limit has been answered already.
      const p = this.current;
      if (!p || p.child !== child) return;
      this.finishCurrent();
      // A V8 heap over its limit aborts the process: that is the memory limit too.
      const heap = /heap out of memory|Allocation failed/i.test(stderr);
      p.reject(
        heap
          ? new ImagingError("memory_limit", `decoding needed more than the ${this.limits.memoryMb} MiB it may use`)
          : new ImagingError("decoder_failed", `the decoder stopped (${signal ?? `exit ${code}`}) while reading this file`),
      );
    });
    this.started++;
    return child;
  }

  private timer: NodeJS.Timeout | null = null;
  private watch: NodeJS.Timeout | null = null;

  private finishCurrent() {
    this.current = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.watch) clearInterval(this.watch);
    this.timer = this.watch = null;
    setImmediate(() => this.pump());
  }

  /** Kills the child for a limit: the current task fails with `err`, the next one gets a new child. */
  private killFor(err: ImagingError) {
    const p = this.current;
    const c = this.child;
    if (!p) return;
    this.finishCurrent();
    this.child = null;
    c?.kill("SIGKILL");
    p.reject(err);
  }

  private pump() {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.child ??= this.spawnChild();
    const child = this.child;
    next.child = child;
    this.timer = setTimeout(() => this.killFor(new ImagingError("time_limit", `decoding took longer than ${+(this.limits.timeoutMs / 1000).toPrecision(3)} s`)), this.limits.timeoutMs);
    this.watch = setInterval(() => {
      const mb = child.pid ? rssMb(child.pid) : 0;
      if (mb > this.limits.memoryMb) {
        this.log(`decoder over its memory limit (${mb.toFixed(0)} MiB): stopped`);
        this.killFor(new ImagingError("memory_limit", `decoding needed more than the ${this.limits.memoryMb} MiB it may use`));
      }
    }, WATCH_MS);
    child.send(next.task, (e) => {
      if (e && this.current === next) this.killFor(new ImagingError("decoder_failed", `the decoder could not be reached: ${e.message}`));
    });
  }
}
