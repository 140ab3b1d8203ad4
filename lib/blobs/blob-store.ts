// Where large immutable files (checkpoints, later dataset files and release weights) live, addressed by a key
// the server makes (never by a name from a request). A local folder by default; the interface is the one an
// S3-compatible store implements (put a finished file, stream it back, check, delete).
import "server-only";
import { createReadStream, type ReadStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, copyFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { dataDir } from "../env";

export interface BlobStore {
  /** Takes ownership of a finished local file (moved, not copied, when it can be). */
  putFile(key: string, file: string): Promise<void>;
  /** Stores small derived data (previews); replaces what the key held, atomically. */
  putBuffer(key: string, data: Buffer): Promise<void>;
  readBuffer(key: string): Promise<Buffer | null>;
  /** Where a stored blob can be read as a file on this machine (the local store; others would stage a copy). */
  localPath(key: string): string;
  read(key: string, range?: { start: number; end: number }): ReadStream;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
}

const KEY = /^[a-z0-9][a-z0-9/_.-]{0,200}$/;

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private file(key: string) {
    if (!KEY.test(key) || key.includes("..")) throw new Error(`bad blob key ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }

  async putFile(key: string, file: string) {
    const to = this.file(key);
    await mkdir(path.dirname(to), { recursive: true });
    try {
      await rename(file, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      await copyFile(file, `${to}.partial`);
      await rename(`${to}.partial`, to);
      await rm(file, { force: true });
    }
  }

  async putBuffer(key: string, data: Buffer) {
    const to = this.file(key);
    await mkdir(path.dirname(to), { recursive: true });
    const tmp = `${to}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, to);
  }

  async readBuffer(key: string) {
    return readFile(this.file(key)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return null;
      throw e;
    });
  }

  localPath(key: string) {
    return this.file(key);
  }

  read(key: string, range?: { start: number; end: number }) {
    // 1 MiB reads: large files (checkpoints, weights) stream several times faster than with the 64 KiB default.
    return createReadStream(this.file(key), { ...range, highWaterMark: 1 << 20 });
  }

  async size(key: string) {
    return stat(this.file(key)).then((s) => s.size, () => null);
  }

  async delete(key: string) {
    await rm(this.file(key), { force: true });
  }
}

let store: BlobStore | undefined;
export const blobStore = (): BlobStore => (store ??= new LocalBlobStore(path.join(dataDir(), "blobs")));
