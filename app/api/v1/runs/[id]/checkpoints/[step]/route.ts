import { Readable } from "node:stream";
import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { openCheckpoint } from "@/lib/services/checkpoints/read-checkpoints";

/** Streamed from the blob store; `Range: bytes=N-` resumes an interrupted download. */
export const GET = route(contracts.downloadCheckpoint, async ({ actor, params, req }) => {
  const range = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
  const c = await openCheckpoint(actor, params.id, params.step, range ? Number(range[1]) : 0);
  const headers: Record<string, string> = {
    "content-type": "application/x-tar",
    "content-length": String(c.size - c.from),
    "accept-ranges": "bytes",
    etag: `"${c.sha256}"`,
    digest: `sha-256=${Buffer.from(c.sha256, "hex").toString("base64")}`,
    "content-disposition": `attachment; filename="${params.id}-step-${params.step}.tar"`,
    "cache-control": "private, no-store",
  };
  if (range) headers["content-range"] = `bytes ${c.from}-${c.size - 1}/${c.size}`;
  const body = c.stream ? (Readable.toWeb(c.stream) as ReadableStream) : null;
  return new Response(body, { status: range ? 206 : 200, headers });
});
