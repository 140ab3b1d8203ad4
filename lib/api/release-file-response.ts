// One release file as an HTTP answer, for every route that serves one (the API's files route, a signed link, the
// Hub-compatible resolve): nginx sends it when downloads are offloaded, else its stream with Range.
import { env } from "../env";
import { rangedResponse } from "./ranged-response";

const TYPES: [RegExp, string][] = [[/\.json$/, "application/json"], [/\.md$/, "text/markdown; charset=utf-8"], [/\.py$/, "text/x-python; charset=utf-8"]];

type Opened = { size: number; from: number; end: number; stream: import("node:stream").Readable | null; sha256: string; storageKey: string | null };

export function releaseFileResponse(f: Opened, o: { ranged: boolean; filename: string; headers?: Record<string, string> }) {
  const type = TYPES.find(([re]) => re.test(o.filename))?.[1] ?? "application/octet-stream";
  const name = o.filename.split("/").pop()!.replace(/["\\\r\n]/g, "_");
  const headers = { etag: `"${f.sha256}"`, "x-content-sha256": f.sha256, ...o.headers };
  if (f.storageKey) {
    // Authorized and recorded: nginx sends the file (Range included) from its internal location.
    return new Response(null, {
      headers: { "x-accel-redirect": `${env().DOWNLOAD_OFFLOAD_PREFIX}${f.storageKey}`, "content-type": type, "content-disposition": `attachment; filename="${name}"`, "cache-control": "private, no-store", ...headers },
    });
  }
  return rangedResponse({ ranged: o.ranged, size: f.size, from: f.from, end: f.end, stream: f.stream, contentType: type, filename: name, headers });
}
