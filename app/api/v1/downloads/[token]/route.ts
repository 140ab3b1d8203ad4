import { contracts } from "@/lib/api/contracts";
import { parseRange, rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { openLinkedFile } from "@/lib/services/releases/release-downloads";

export const GET = route(contracts.downloadByLink, async ({ ip, params, req }) => {
  const range = parseRange(req);
  const f = await openLinkedFile(params.token, ip ?? null, range);
  return rangedResponse({ ranged: !!range, size: f.size, from: f.from, end: f.end, stream: f.stream, contentType: "application/octet-stream", filename: f.name, headers: { etag: `"${f.sha256}"`, "x-content-sha256": f.sha256 } });
});
