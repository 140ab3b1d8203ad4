import { Readable } from "node:stream";
import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { openRunVolume } from "@/lib/services/datasets/run-volumes";

/** A volume of the run's mix, for an agent whose machine can't read the server's path; `Range: bytes=N-` resumes. */
export const GET = route(contracts.downloadRunVolume, async ({ actor, params, req }) => {
  const range = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
  const v = await openRunVolume(actor, params.id, params.sha256, range ? Number(range[1]) : 0);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-length": String(v.size - v.from),
    "accept-ranges": "bytes",
    etag: `"${params.sha256}"`,
    "content-disposition": `attachment; filename="${params.sha256.slice(0, 16)}-${v.name}"`,
    "cache-control": "private, no-store",
  };
  if (range) headers["content-range"] = `bytes ${v.from}-${v.size - 1}/${v.size}`;
  return new Response(v.stream ? (Readable.toWeb(v.stream) as ReadableStream) : null, { status: range ? 206 : 200, headers });
});
