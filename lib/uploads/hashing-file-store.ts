// The tus file store, hashing the bytes as they arrive: a finished upload's sha256 is known without reading the
// file again (a second full pass over a 2 GiB checkpoint). The running hash lives in memory per upload; a PATCH
// that doesn't continue it (the server restarted, or a chunk was re-sent) drops it, and the file is hashed whole
// at the end instead.
import "server-only";
import { createHash, type Hash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import { FileStore } from "@tus/file-store";

export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    let state = this.running.get(id);
    if (offset === 0) state = { hash: createHash("sha256"), offset: 0 };
    if (!state || state.offset !== offset) {
      this.running.delete(id);
      return super.write(readable, id, offset);
    }
    const s = state;
    this.running.set(id, s);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        s.hash.update(chunk);
        done(null, chunk);
      },
    });
    readable.on("error", (e) => tap.destroy(e));
    let end: number;
    try {
      end = await super.write(readable.pipe(tap), id, offset);
    } catch (e) {
      this.running.delete(id); // how far the file got is unknown: hash it whole at the end
      throw e;
    }
    s.offset = end;
    return end;
  }

  /** The sha256 of the whole upload when every byte went through this process in order; else null. */
  takeDigest(id: string, size: number) {
    const s = this.running.get(id);
    this.running.delete(id);
    return s && s.offset === size ? s.hash.digest("hex") : null;
  }

  override async remove(id: string) {
    this.running.delete(id);
    return super.remove(id);
  }
}
