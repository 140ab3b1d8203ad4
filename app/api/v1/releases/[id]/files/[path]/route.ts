import { contracts } from "@/lib/api/contracts";
import { rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { openReleaseFile } from "@/lib/services/releases/release-downloads";

/** `Range: bytes=N-` or `bytes=N-M`: a resumed or partial download (216 bytes of a safetensors header, say). */
export const GET = route(contracts.downloadReleaseFile, async ({ actor, ip, params, req }) => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
  const f = await openReleaseFile({ actor, ip }, params.id, params.path, m ? { from: Number(m[1]), ...(m[2] ? { end: Number(m[2]) } : {}) } : null);
  const res = rangedResponse({
    ranged: !!m, size: f.size, from: f.from, stream: f.stream, contentType: params.path.endsWith(".json") ? "application/json" : params.path.endsWith(".md") ? "text/markdown; charset=utf-8" : "application/octet-stream",
    filename: params.path, headers: f.sha256 ? { etag: `"${f.sha256}"`, "x-content-sha256": f.sha256 } : {},
  });
  if (m) {
    // rangedResponse reports to the file's end; a closed range ends earlier.
    res.headers.set("content-range", `bytes ${f.from}-${f.end}/${f.size}`);
    res.headers.set("content-length", String(Math.max(0, f.end - f.from + 1)));
  }
  return res;
});
