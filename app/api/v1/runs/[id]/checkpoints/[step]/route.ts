import { contracts } from "@/lib/api/contracts";
import { rangedResponse, rangeStart } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { openCheckpoint } from "@/lib/services/checkpoints/read-checkpoints";

/** Streamed from the blob store; `Range: bytes=N-` resumes an interrupted download. */
export const GET = route(contracts.downloadCheckpoint, async ({ actor, params, req }) => {
  const { from, ranged } = rangeStart(req);
  const c = await openCheckpoint(actor, params.id, params.step, from);
  return rangedResponse({
    ranged, size: c.size, from: c.from, stream: c.stream, contentType: "application/x-tar", filename: `${params.id}-step-${params.step}.tar`,
    headers: { etag: `"${c.sha256}"`, digest: `sha-256=${Buffer.from(c.sha256, "hex").toString("base64")}` },
  });
});
