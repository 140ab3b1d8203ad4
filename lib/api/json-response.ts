// JSON answers of the API. Large ones (chart series run to 100–200 KB) are gzipped here at level 1 on the thread
// pool: about a quarter of the default level's CPU for nearly the same size, and the event loop stays free.
// Next's own compression leaves a response alone once it has a Content-Encoding.
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const COMPRESS_FROM = 8 * 1024;

export async function jsonResponse(req: Request, value: unknown, status: number): Promise<Response> {
  const body = JSON.stringify(value);
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store", vary: "accept-encoding" };
  if (body.length < COMPRESS_FROM || !/\bgzip\b/i.test(req.headers.get("accept-encoding") ?? "")) return new Response(body, { status, headers });
  const zipped = await gzipAsync(body, { level: 1 });
  return new Response(new Uint8Array(zipped), { status, headers: { ...headers, "content-encoding": "gzip" } });
}
