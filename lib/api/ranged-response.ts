// A file's bytes as an HTTP answer: 206 with Content-Range for a ranged request (lib/http/byte-range.ts reads and
// checks the range), else 200 with the whole body; a HEAD gets the same headers and no body.
import { Readable } from "node:stream";

/** Where a response keeps the Node stream its body comes from: the server's /api/v1 dispatcher pipes it straight
 * to the socket (server/web/api-dispatch.ts), skipping two Web-stream conversions that cost most of a large download's
 * time. */
export const NODE_BODY = Symbol("hounsfield.nodeBody");

/** A Web stream over a Node stream that reads nothing until it is read: a response whose Node stream is piped
 * directly never has its bytes taken by an idle Web stream. */
function lazyWeb(stream: Readable): ReadableStream {
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= (Readable.toWeb(stream) as ReadableStream<Uint8Array>).getReader();
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        stream.destroy();
        void reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
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
  const res = new Response(o.stream ? lazyWeb(o.stream) : null, { status: o.ranged ? 206 : 200, headers });
  if (o.stream) Object.defineProperty(res, NODE_BODY, { value: o.stream });
  return res;
}
