// Reads an ingest body off the socket without ever holding the event loop: bytes are counted as they arrive,
// gzip is inflated on libuv's thread pool (async zlib) and stopped the moment its output passes the limit.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { DomainError, invalid, tooLarge } from "../errors";

export const MAX_INFLATED = 8 * 1024 * 1024;

async function inflate(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const out: Buffer[] = [];
  let size = 0;
  try {
    await pipeline(Readable.from(chunks), createGunzip(), async function* (inflated: AsyncIterable<Buffer>) {
      for await (const b of inflated) {
        size += b.length;
        if (size > limit) throw tooLarge(limit);
        out.push(b);
      }
    });
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw invalid("The gzip body could not be decompressed", [{ field: "body", message: "corrupt gzip data" }]);
  }
  return Buffer.concat(out);
}

async function* limited(body: ReadableStream<Uint8Array>, limit: number) {
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > limit) throw tooLarge(limit);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The body as text: at most `limit` bytes on the wire, and at most MAX_INFLATED once inflated. */
export async function readBatchText(req: Request, limit: number): Promise<string> {
  const encoding = req.headers.get("content-encoding")?.trim().toLowerCase() || null;
  if (encoding && encoding !== "identity" && encoding !== "gzip") throw invalid("Unsupported content-encoding", [{ field: "content-encoding", message: "use gzip or none" }]);
  if (Number(req.headers.get("content-length") ?? NaN) > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const chunks = limited(req.body, limit);
  if (encoding === "gzip") return (await inflate(chunks, MAX_INFLATED)).toString("utf8");
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts).toString("utf8");
}
