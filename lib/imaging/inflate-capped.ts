// Inflating a raw deflate stream (the Deflated Explicit VR Little Endian syntax) with its output bounded: the stream
// is pulled only as far as it is read, and reading stops at the cap, so a few kilobytes that inflate to gigabytes
// cost no more than the cap.
import { Readable } from "node:stream";
import { constants, createInflateRaw } from "node:zlib";
import { ImagingError } from "./imaging-error";

const STEP = 64 * 1024;

/**
 * At most `cap` bytes of the inflated stream (`overflow` when it holds more). `partial` accepts a stream that stops
 * early or breaks off (a prefix of the file, read for its header); otherwise that is the file's error.
 */
export async function inflateCapped(input: Uint8Array, cap: number, opts: { partial?: boolean } = {}): Promise<{ bytes: Buffer; overflow: boolean }> {
  const source = Readable.from((function* () {
    for (let at = 0; at < input.length; at += STEP) yield input.subarray(at, at + STEP);
  })());
  const inflate = createInflateRaw({ chunkSize: STEP, finishFlush: opts.partial ? constants.Z_SYNC_FLUSH : constants.Z_FINISH });
  source.pipe(inflate);
  const parts: Buffer[] = [];
  let got = 0;
  let overflow = false;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got > cap) {
        overflow = true;
        break;
      }
    }
  } catch {
    if (!(opts.partial && got)) throw new ImagingError("unreadable", "the deflated data set is corrupt: it does not inflate");
  } finally {
    source.destroy();
    inflate.destroy();
  }
  const bytes = Buffer.concat(parts);
  return { bytes: overflow ? bytes.subarray(0, cap) : bytes, overflow };
}
