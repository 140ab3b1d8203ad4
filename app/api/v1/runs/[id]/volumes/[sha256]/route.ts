import { contracts } from "@/lib/api/contracts";
import { rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { requestedRange } from "@/lib/http/byte-range";
import { openRunVolume } from "@/lib/services/datasets/run-volumes";

/** A volume of the run's mix, for an agent whose machine can't read the server's path; `Range: bytes=N-` resumes.
 * HEAD: the headers only, and the file is not opened. */
const serve = route(contracts.downloadRunVolume, async ({ actor, params, req }) => {
  const head = req.method === "HEAD";
  const range = head ? null : requestedRange(req.headers);
  const v = await openRunVolume(actor, params.id, params.sha256, range, { open: !head });
  return rangedResponse({ ranged: !!range, size: v.size, from: v.from, end: v.end, stream: v.stream, contentType: "application/octet-stream", filename: `${params.sha256.slice(0, 16)}-${v.name}`, headers: { etag: `"${params.sha256}"` } });
});

export { serve as GET, serve as HEAD };
