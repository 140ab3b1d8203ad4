// Bounded reads of a possibly gzipped file: the first bytes for a header, or every byte through a callback for
// statistics. Decompression is capped by what the header says the file holds, so a .gz that inflates without
// end stops at that size instead of filling memory or time.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { ImagingError } from "./imaging-error";

import { READ_FLAGS } from "../http/open-flags";

export { READ_FLAGS };

export async function isGzip(file: string) {
  const fh = await open(file, READ_FLAGS);
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Up to `n` bytes from the start of the file, inflated if it is gzip; reads only as much as that needs. */
export async function readPrefix(file: string, n: number, gzip: boolean): Promise<Buffer> {
  const source = (await open(file, READ_FLAGS)).createReadStream(gzip ? { highWaterMark: 64 * 1024 } : { start: 0, end: n - 1 });
  const stream = gzip ? source.pipe(createGunzip()) : source;
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) break;
    }
  } catch (e) {
    // A truncated or corrupt gzip still gave its first bytes: enough for a header; the stats pass reports it.
    if (!got) throw new ImagingError("truncated", "the gzip stream is corrupt or cut short before its first bytes");
  } finally {
    source.destroy();
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, n);
}

/**
 * Streams the (inflated) bytes from `skip` to `skip + length` into `onBytes`, in order, and returns the sha256 of
 * the file as stored (the whole file is read either way). Fails with "truncated" when the file ends early and
 * "inflation_limit" when a gzip member inflates past the declared end by more than a little.
 */
export async function streamRange(file: string, gzip: boolean, skip: number, length: number, onBytes: (b: Buffer) => void | Promise<void>, opts: { hash?: boolean; signal?: AbortSignal } = {}): Promise<string> {
  if (!Number.isSafeInteger(skip) || !Number.isSafeInteger(length) || skip < 0 || length < 0) throw new ImagingError("bad_geometry", `cannot read ${length} bytes at offset ${skip}`);
  const hash = opts.hash === false ? null : createHash("sha256");
  const source = (await open(file, READ_FLAGS)).createReadStream({ highWaterMark: 1 << 20 });
  if (hash) source.on("data", (b) => hash.update(b as Buffer));
  const stream = gzip ? source.pipe(createGunzip({ chunkSize: 1 << 20 })) : source;
  source.on("error", (e) => stream.destroy(e));
  let pos = 0;
  const end = skip + length;
  const slack = 1 << 20;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // Checked here, not only where bytes are used: inflating a header's long preamble is time too.
      if (opts.signal?.aborted) throw opts.signal.reason;
      const from = Math.max(0, skip - pos);
      const to = Math.min(chunk.length, end - pos);
      pos += chunk.length;
      if (to > from) await onBytes(chunk.subarray(from, to));
      if (gzip && pos > end + slack) throw new ImagingError("inflation_limit", `the gzip stream inflates past the ${end} bytes its header declares`);
    }
  } catch (e) {
    if (e instanceof ImagingError) throw e;
    if (pos < end) throw new ImagingError("truncated", `the file ends after ${pos} of ${end} bytes (the ${gzip ? "gzip stream breaks off or is corrupt" : "file is shorter"} there)`, { cause: e });
    throw new ImagingError("unreadable", "the gzip stream is corrupt after the volume's data", { cause: e });
  } finally {
    source.destroy();
    stream.destroy();
  }
  if (pos < end) throw new ImagingError("truncated", `the file ends after ${pos} of ${end} bytes`);
  return hash ? hash.digest("hex") : "";
}
