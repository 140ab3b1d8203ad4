// The one reading of an HTTP Range header for every file route: `bytes=N-` (the rest of a file, what a resumed
// download asks) or `bytes=N-M`, checked against the file's size once it is known. A range that can't be served
// is a 416 naming the size, never a clamped or empty 206.
import { DomainError } from "../errors";

export type ByteRange = { from: number; end?: number };

/** The range a request asks for, or null when it sends none (or a form this server doesn't serve, such as a
 * suffix or several ranges, which HTTP lets a server answer with the whole file). */
export function requestedRange(headers: Headers): ByteRange | null {
  const m = /^bytes=(\d{1,16})-(\d{0,16})$/.exec(headers.get("range")?.trim() ?? "");
  if (!m) return null;
  return { from: Number(m[1]), ...(m[2] ? { end: Number(m[2]) } : {}) };
}

/** The bytes to send of a file of `size` bytes: all of it without a range, else the range cut at the end of the
 * file. Throws 416 (with `Content-Range: bytes *\/size`) for a range that starts at or past the end, or ends before
 * it starts. */
export function servedRange(range: ByteRange | null, size: number): { from: number; end: number } {
  if (!range) return { from: 0, end: size - 1 };
  const end = range.end === undefined ? size - 1 : Math.min(range.end, size - 1);
  if (range.from < size && range.from <= end) return { from: range.from, end };
  const why = range.end !== undefined && range.end < range.from ? `The range ends (${range.end}) before it starts (${range.from})` : `The range starts at ${range.from}, past the file's ${size} bytes`;
  throw new DomainError(why, 416, "Range not satisfiable", [{ field: "range", message: `this file has ${size} bytes` }], { "Content-Range": `bytes */${size}` });
}
