import { contracts } from "@/lib/api/contracts";
import { parseRange } from "@/lib/api/ranged-response";
import { releaseFileResponse } from "@/lib/api/release-file-response";
import { route } from "@/lib/api/route";
import { openLinkedFile } from "@/lib/services/releases/release-downloads";

export const GET = route(contracts.downloadByLink, async ({ ip, params, req }) => {
  const range = parseRange(req);
  const f = await openLinkedFile(params.token, ip ?? null, range);
  return releaseFileResponse(f, { ranged: !!range, filename: f.name });
});
