import { contracts } from "@/lib/api/contracts";
import { releaseFileResponse } from "@/lib/api/release-file-response";
import { route } from "@/lib/api/route";
import { env } from "@/lib/env";
import { requestedRange } from "@/lib/http/byte-range";
import { openReleaseFile } from "@/lib/services/releases/release-downloads";

/** `Range: bytes=N-` or `bytes=N-M`: a resumed or partial download (a safetensors header, say). HEAD is decided
 * like a GET but is not a download: nothing is recorded or opened. */
const serve = route(contracts.downloadReleaseFile, async ({ actor, ip, params, req }) => {
  const head = req.method === "HEAD";
  const range = head ? null : requestedRange(req.headers);
  const f = await openReleaseFile({ actor, ip }, params.id, params.path, range, head ? { record: false, open: false } : { offload: env().DOWNLOAD_OFFLOAD === "x-accel" });
  return releaseFileResponse(f, { ranged: !!range, filename: params.path });
});

export { serve as GET, serve as HEAD };
