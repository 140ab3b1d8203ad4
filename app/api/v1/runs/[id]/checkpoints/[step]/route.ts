import { contracts } from "@/lib/api/contracts";
import { rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { requestedRange } from "@/lib/http/byte-range";
import { openCheckpoint } from "@/lib/services/checkpoints/read-checkpoints";

/** Streamed from the blob store; `Range: bytes=N-` resumes an interrupted download. HEAD: the headers only, and
 * the blob is not opened. */
const serve = route(contracts.downloadCheckpoint, async ({ actor, params, req }) => {
  const head = req.method === "HEAD";
  const range = head ? null : requestedRange(req.headers);
  const c = await openCheckpoint(actor, params.id, params.step, range, { open: !head });
  return rangedResponse({
    ranged: !!range, size: c.size, from: c.from, end: c.end, stream: c.stream, contentType: "application/x-tar", filename: `${params.id}-step-${params.step}.tar`,
    headers: { etag: `"${c.sha256}"`, digest: `sha-256=${Buffer.from(c.sha256, "hex").toString("base64")}` },
  });
});

export { serve as GET, serve as HEAD };
