// What a release takes from a checkpoint: its weights (safetensors), config.json and preprocessing.json, read out
// of the checkpoint's tar as a stream into the blob store, each hashed on the way. Optimizer and trainer state stay
// behind; anything else in the archive is ignored, code included (the fine-tune starter a release carries is the
// server's own, lib/releases/server-starter.ts). The weights are checked to
// be safetensors (a length-prefixed JSON header, then raw tensors) without loading them: no pickle ever reaches
// this server's interpreter, and a file that isn't safetensors is refused.
import "server-only";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Parser, type ReadEntry } from "tar";
import { hashingTap } from "../blobs/hashing-tap";
import { DomainError } from "../errors";

/** The files a release takes from a checkpoint, and their kind. */
export const CHECKPOINT_FILES = {
  "model.safetensors": "weights",
  "config.json": "config",
  "preprocessing.json": "preprocessing",
} as const;
export type ReleaseFileName = keyof typeof CHECKPOINT_FILES;

export type ExtractedFile = { name: ReleaseFileName; file: string; sha256: string; bytes: number };

const MAX_JSON = 1 << 20;

/** Extracts the release files of a checkpoint tar into `dir` (which the caller removes). */
export async function extractReleaseFiles(tarFile: string, dir: string): Promise<ExtractedFile[]> {
  await mkdir(dir, { recursive: true });
  const found: ExtractedFile[] = [];
  const writes: Promise<void>[] = [];
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = path.posix.basename(entry.path) as ReleaseFileName;
      // Only regular files named as the trainer names them, one folder deep (step-N/…): nothing else is written.
      if (entry.type !== "File" || !(name in CHECKPOINT_FILES) || entry.path.split("/").length > 2 || found.some((f) => f.name === name)) {
        entry.resume();
        return;
      }
      const out = path.join(dir, name);
      const tap = hashingTap();
      writes.push(
        pipeline(entry, tap.stream, createWriteStream(out)).then(() => {
          found.push({ name, file: out, sha256: tap.digest(), bytes: tap.bytes() });
        }),
      );
    },
  });
  await pipeline(createReadStream(tarFile), parser);
  await Promise.all(writes);
  const missing = (Object.keys(CHECKPOINT_FILES) as ReleaseFileName[]).filter((n) => !found.some((f) => f.name === n));
  if (missing.length) throw new DomainError(`The checkpoint lacks ${missing.join(", ")}: it was not written by the reference trainer`, 409, "Conflict");
  await checkSafetensors(found.find((f) => f.name === "model.safetensors")!);
  for (const f of found.filter((x) => x.name.endsWith(".json"))) await checkJson(f);
  return found;
}

async function readHead(file: string, n: number) {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of createReadStream(file, { start: 0, end: n - 1 })) {
    chunks.push(c as Buffer);
    got += (c as Buffer).length;
  }
  return Buffer.concat(chunks, got);
}

/** safetensors: 8-byte little-endian header length, a JSON header of {name: {dtype, shape, data_offsets}}, data. */
async function checkSafetensors(f: ExtractedFile) {
  const bad = (why: string) => new DomainError(`model.safetensors is not a safetensors file: ${why}`, 409, "Conflict");
  if (f.bytes < 8) throw bad("shorter than its header length");
  const lenBuf = await readHead(f.file, 8);
  const len = Number(lenBuf.readBigUInt64LE(0));
  if (len < 2 || len > 100 * 2 ** 20 || 8 + len > f.bytes) throw bad(`a header length of ${len}`);
  let header: Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] }>;
  try {
    header = JSON.parse((await readHead(f.file, 8 + len)).subarray(8).toString("utf8"));
  } catch {
    throw bad("its header is not JSON");
  }
  const dataBytes = f.bytes - 8 - len;
  for (const [k, t] of Object.entries(header)) {
    if (k === "__metadata__") continue;
    const [a, b] = t?.data_offsets ?? [-1, -1];
    if (typeof t?.dtype !== "string" || !Array.isArray(t.shape) || !(a >= 0 && b >= a && b <= dataBytes)) throw bad(`tensor ${k.slice(0, 100)} is malformed`);
  }
}

async function checkJson(f: ExtractedFile) {
  if (f.bytes > MAX_JSON) throw new DomainError(`${f.name} is larger than ${MAX_JSON} bytes`, 409, "Conflict");
  try {
    JSON.parse((await readHead(f.file, Math.max(1, f.bytes))).toString("utf8"));
  } catch {
    throw new DomainError(`${f.name} is not JSON`, 409, "Conflict");
  }
}

export async function removeDir(dir: string) {
  await rm(dir, { recursive: true, force: true });
}
