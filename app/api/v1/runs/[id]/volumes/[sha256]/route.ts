import { contracts } from "@/lib/api/contracts";
import { rangedResponse, rangeStart } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { openRunVolume } from "@/lib/services/datasets/run-volumes";

/** A volume of the run's mix, for an agent whose machine can't read the server's path; `Range: bytes=N-` resumes. */
export const GET = route(contracts.downloadRunVolume, async ({ actor, params, req }) => {
  const { from, ranged } = rangeStart(req);
  const v = await openRunVolume(actor, params.id, params.sha256, from);
  return rangedResponse({ ranged, size: v.size, from: v.from, stream: v.stream, contentType: "application/octet-stream", filename: `${params.sha256.slice(0, 16)}-${v.name}`, headers: { etag: `"${params.sha256}"` } });
});
