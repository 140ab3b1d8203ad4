// Downloads that resume: `Range: bytes=N-` asks for the rest of a file from byte N (what agents send after a
// dropped connection); the answer is 206 with Content-Range, or 200 with the whole body.
import { Readable } from "node:stream";

/** The start byte a `Range: bytes=N-` header asks for, or 0. */
export function rangeStart(req: Request) {
  const m = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
  return m ? { from: Number(m[1]), ranged: true } : { from: 0, ranged: false };
}

/** `bytes=N-` or `bytes=N-M`, or null for no (or an unsupported) Range header. */
export function parseRange(req: Request): { from: number; end?: number } | null {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
  return m ? { from: Number(m[1]), ...(m[2] ? { end: Number(m[2]) } : {}) } : null;
}

export function rangedResponse(o: { ranged: boolean; size: number; from: number; end?: number; stream: Readable | null; contentType: string; filename: string; headers?: Record<string, string> }) {
  const end = o.end ?? o.size - 1;
  const headers: Record<string, string> = {
    "content-type": o.contentType,
    "content-length": String(Math.max(0, end - o.from + 1)),
    "accept-ranges": "bytes",
    "content-disposition": `attachment; filename="${o.filename}"`,
    "cache-control": "private, no-store",
    ...o.headers,
  };
  if (o.ranged) headers["content-range"] = `bytes ${o.from}-${end}/${o.size}`;
  return new Response(o.stream ? (Readable.toWeb(o.stream) as ReadableStream) : null, { status: o.ranged ? 206 : 200, headers });
}
