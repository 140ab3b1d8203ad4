import { contracts } from "@/lib/api/contracts";
import { parseRange, rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { env } from "@/lib/env";
import { openReleaseFile } from "@/lib/services/releases/release-downloads";

const TYPES: [RegExp, string][] = [[/\.json$/, "application/json"], [/\.md$/, "text/markdown; charset=utf-8"], [/\.py$/, "text/x-python; charset=utf-8"]];

/** `Range: bytes=N-` or `bytes=N-M`: a resumed or partial download (a safetensors header, say). */
export const GET = route(contracts.downloadReleaseFile, async ({ actor, ip, params, req }) => {
  const range = parseRange(req);
  const offload = env().DOWNLOAD_OFFLOAD === "x-accel";
  const f = await openReleaseFile({ actor, ip }, params.id, params.path, range, { offload });
  const type = TYPES.find(([re]) => re.test(params.path))?.[1] ?? "application/octet-stream";
  if (f.storageKey) {
    // Authorized and recorded: nginx sends the file (Range included) from its internal location.
    return new Response(null, {
      headers: { "x-accel-redirect": `${env().DOWNLOAD_OFFLOAD_PREFIX}${f.storageKey}`, "content-type": type, "content-disposition": `attachment; filename="${params.path}"`, etag: `"${f.sha256}"`, "x-content-sha256": f.sha256, "cache-control": "private, no-store" },
    });
  }
  return rangedResponse({ ranged: !!range, size: f.size, from: f.from, end: f.end, stream: f.stream, contentType: type, filename: params.path, headers: { etag: `"${f.sha256}"`, "x-content-sha256": f.sha256 } });
});
