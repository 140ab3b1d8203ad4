import { Readable } from "node:stream";
import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { openScanVolume } from "@/lib/services/datasets/scan-volume";

export const GET = route(contracts.scanVolume, async ({ actor, params }) => {
  const v = await openScanVolume(actor, params.id);
  return new Response(Readable.toWeb(v.stream) as ReadableStream, {
    headers: { "content-type": "application/gzip", "content-disposition": `attachment; filename="${v.name}"`, "cache-control": "private, max-age=3600" },
  });
});
