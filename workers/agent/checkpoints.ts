// Checkpoints between the run directory and the server. Up: each checkpoint folder the trainer finishes is packed
// into one tar, hashed, and sent with the tus protocol in 64 MiB chunks; the upload URL is saved first, so an
// interrupted upload (or a restarted agent) resumes from the server's offset. Down: a run resumed on a machine
// that lacks its checkpoint fetches it (resuming a partial download with Range), checks its sha256, unpacks it.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import * as tar from "tar";
import { Upload } from "tus-js-client";
import { UPLOAD_CHUNK_LIMIT } from "../../lib/schemas/worker";

export type Conn = { server: string; token: string };

export async function sha256File(file: string) {
  const h = createHash("sha256");
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return h.digest("hex");
}

export class RefusedError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

/** Packs checkpoints/step-N into agent/uploads/step-N.tar (once; a half-written tar from a crash is redone). */
export async function packCheckpoint(runDir: string, step: number) {
  const dir = path.join(runDir, "checkpoints");
  const out = path.join(runDir, "agent", "uploads", `step-${step}.tar`);
  if (existsSync(out)) return out;
  if (!existsSync(path.join(dir, `step-${step}`))) return null; // rotated away by keep_checkpoints before we got to it
  mkdirSync(path.dirname(out), { recursive: true });
  await tar.c({ cwd: dir, file: `${out}.partial`, portable: true, filter: (p) => path.basename(p) !== UPLOADED_MARK }, [`step-${step}`]);
  renameSync(`${out}.partial`, out);
  return out;
}

/** Sends one file with tus; `savedUrl` resumes an upload begun earlier, `onUrl` is told a new one's URL. */
export function uploadFile(c: Conn, file: string, meta: Record<string, string>, savedUrl: string | undefined, onUrl: (url: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(createReadStream(file), {
      endpoint: `${c.server.replace(/\/+$/, "")}/api/v1/uploads`,
      uploadUrl: savedUrl ?? null,
      uploadSize: statSync(file).size,
      chunkSize: UPLOAD_CHUNK_LIMIT,
      metadata: meta,
      headers: { authorization: `Bearer ${c.token}` },
      storeFingerprintForResuming: false,
      retryDelays: [0, 1000, 3000, 5000, 10_000, 20_000, 30_000],
      // A refusal (stale lease, bad checksum, no space) is final; only outages are retried.
      onShouldRetry: (err) => {
        const status = err.originalResponse?.getStatus() ?? 0;
        return status === 0 || status >= 500 || status === 423 || status === 429;
      },
      onUploadUrlAvailable: () => upload.url && onUrl(new URL(upload.url, c.server).toString()),
      onSuccess: () => resolve(),
      onError: (err) => {
        const status = (err as { originalResponse?: { getStatus(): number } }).originalResponse?.getStatus() ?? 0;
        reject(status >= 400 && status < 500 ? new RefusedError(status, err.message.slice(0, 500)) : err);
      },
    });
    upload.start();
  });
}

/** The newest local checkpoint step, or null. */
export function localCheckpointStep(runDir: string) {
  const dir = path.join(runDir, "checkpoints");
  if (!existsSync(dir)) return null;
  const steps = readdirSync(dir).map((d) => /^step-(\d+)$/.exec(d)?.[1]).filter(Boolean).map(Number);
  return steps.length ? Math.max(...steps) : null;
}

/** Fetches a run's checkpoint into its run directory, checking the sha256 the server recorded at upload. */
export async function downloadCheckpoint(c: Conn, runDir: string, runId: string, ckpt: { step: number; sha256: string; bytes: number }) {
  const partial = path.join(runDir, "agent", `download-step-${ckpt.step}.tar.partial`);
  mkdirSync(path.dirname(partial), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const have = existsSync(partial) ? statSync(partial).size : 0;
    try {
      if (have < ckpt.bytes) {
        const res = await fetch(`${c.server.replace(/\/+$/, "")}/api/v1/runs/${runId}/checkpoints/${ckpt.step}`, {
          headers: { authorization: `Bearer ${c.token}`, ...(have ? { range: `bytes=${have}-` } : {}) },
        });
        if (res.status >= 400 && res.status < 500) throw new RefusedError(res.status, `checkpoint download: HTTP ${res.status}`);
        if (!res.ok || !res.body) throw new Error(`checkpoint download: HTTP ${res.status}`);
        const append = res.status === 206;
        await pipeline(Readable.fromWeb(res.body as never), createWriteStream(partial, { flags: append ? "a" : "w" }));
      }
      const got = await sha256File(partial);
      if (got !== ckpt.sha256) {
        rmSync(partial, { force: true });
        throw new Error(`checkpoint of step ${ckpt.step}: sha256 ${got}, expected ${ckpt.sha256}`);
      }
      mkdirSync(path.join(runDir, "checkpoints"), { recursive: true });
      // tar refuses absolute paths and '..' by default: the archive can only write under checkpoints/.
      await tar.x({ file: partial, cwd: path.join(runDir, "checkpoints"), strict: true });
      markUploaded(runDir, ckpt.step, ckpt.sha256); // it came from the server
      rmSync(partial, { force: true });
      return;
    } catch (e) {
      if (e instanceof RefusedError || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
    }
  }
}

/** A checkpoint the server holds (listed with this sha256): only such checkpoints may be deleted, by the trainer's
 * keep_checkpoints (it runs with --prune-uploaded-only under the agent) or by `pruneUploaded`. */
export const UPLOADED_MARK = ".uploaded";

export function markUploaded(runDir: string, step: number, sha256: string) {
  const dir = path.join(runDir, "checkpoints", `step-${step}`);
  if (existsSync(dir)) writeFileSync(path.join(dir, UPLOADED_MARK), `${sha256}\n`);
}

/** What the trainer's retention would have done had the uploads been done in time: of the checkpoints older than
 * the newest `keep`, those on the server are deleted; one the server lacks is kept, whatever its age. */
export function pruneUploaded(runDir: string, keep: number) {
  const dir = path.join(runDir, "checkpoints");
  if (!(keep > 0) || !existsSync(dir)) return;
  const steps = readdirSync(dir).map((d) => /^step-(\d+)$/.exec(d)?.[1]).filter(Boolean).map(Number).sort((a, b) => a - b);
  for (const step of steps.slice(0, -keep)) {
    if (existsSync(path.join(dir, `step-${step}`, UPLOADED_MARK))) rmSync(path.join(dir, `step-${step}`), { recursive: true, force: true });
  }
}
