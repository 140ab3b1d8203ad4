import { contracts } from "@/lib/api/contracts";
import { parseRange } from "@/lib/api/ranged-response";
import { releaseFileResponse } from "@/lib/api/release-file-response";
import { route } from "@/lib/api/route";
import { env } from "@/lib/env";
import { openReleaseFile } from "@/lib/services/releases/release-downloads";

/** `Range: bytes=N-` or `bytes=N-M`: a resumed or partial download (a safetensors header, say). */
export const GET = route(contracts.downloadReleaseFile, async ({ actor, ip, params, req }) => {
  const range = parseRange(req);
  const f = await openReleaseFile({ actor, ip }, params.id, params.path, range, { offload: env().DOWNLOAD_OFFLOAD === "x-accel" });
  return releaseFileResponse(f, { ranged: !!range, filename: params.path });
});
