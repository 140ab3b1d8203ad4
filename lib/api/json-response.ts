// JSON answers of the API. Large ones are gzipped here at level 1 on the thread pool, so the event loop stays free.
// Chart series (100–200 KB, mostly digits, which string matching barely shortens) get Huffman coding only: on a
// 133 KB series it took 0.86 ms for 63.6 KB against level 1's 1.69 ms for 64.7 KB (level 6: 4.2 ms).
// Next's own compression leaves a response alone once it has a Content-Encoding.
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const COMPRESS_FROM = 8 * 1024;

/** Whether the body's first 2 KB are at least half digits: numbers, not repeated keys and strings. */
function mostlyDigits(body: string) {
  const n = Math.min(body.length, 2048);
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits * 2 >= n;
}

/** Where a response keeps its body's bytes: the server's /api/v1 dispatcher writes them in one call with their length
 * (server/web/api-dispatch.ts) instead of piping the Web stream over them, which cost ~2 ms of a 12 ms chart read. */
export const BYTES_BODY = Symbol("hounsfield.bytesBody");

export async function jsonResponse(req: Request, value: unknown, status: number): Promise<Response> {
  const body = JSON.stringify(value);
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store", vary: "accept-encoding" };
  let bytes: Buffer;
  if (body.length < COMPRESS_FROM || !/\bgzip\b/i.test(req.headers.get("accept-encoding") ?? "")) {
    bytes = Buffer.from(body);
  } else {
    bytes = await gzipAsync(body, { level: 1, strategy: mostlyDigits(body) ? constants.Z_HUFFMAN_ONLY : constants.Z_DEFAULT_STRATEGY });
    headers["content-encoding"] = "gzip";
  }
  headers["content-length"] = String(bytes.length);
  const res = new Response(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length), { status, headers });
  Object.defineProperty(res, BYTES_BODY, { value: bytes });
  return res;
}
