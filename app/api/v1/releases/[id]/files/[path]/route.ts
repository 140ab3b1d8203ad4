import { contracts } from "@/lib/api/contracts";
import { parseRange, rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { openReleaseFile } from "@/lib/services/releases/release-downloads";

const TYPES: [RegExp, string][] = [[/\.json$/, "application/json"], [/\.md$/, "text/markdown; charset=utf-8"], [/\.py$/, "text/x-python; charset=utf-8"]];

/** `Range: bytes=N-` or `bytes=N-M`: a resumed or partial download (a safetensors header, say). */
export const GET = route(contracts.downloadReleaseFile, async ({ actor, ip, params, req }) => {
  const range = parseRange(req);
  const f = await openReleaseFile({ actor, ip }, params.id, params.path, range);
  const type = TYPES.find(([re]) => re.test(params.path))?.[1] ?? "application/octet-stream";
  return rangedResponse({ ranged: !!range, size: f.size, from: f.from, end: f.end, stream: f.stream, contentType: type, filename: params.path, headers: { etag: `"${f.sha256}"`, "x-content-sha256": f.sha256 } });
});
