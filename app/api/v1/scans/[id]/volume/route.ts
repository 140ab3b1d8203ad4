import { Readable } from "node:stream";
import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { readableScan } from "@/lib/services/datasets/previews";
import { openScanVolume } from "@/lib/services/datasets/scan-volume";

const headers = (name: string) => ({ "content-type": "application/gzip", "content-disposition": `attachment; filename="${name}"`, "cache-control": "private, max-age=3600" });

export const GET = route(contracts.scanVolume, async ({ actor, params }) => {
  const v = await openScanVolume(actor, params.id);
  return new Response(Readable.toWeb(v.stream) as ReadableStream, { headers: headers(v.name) });
});

/** The same decision and headers as a GET, without making the export (its length is known only once made). */
export const HEAD = route(contracts.scanVolume, async ({ actor, params }) => {
  const scan = await readableScan(actor, params.id);
  return new Response(null, { headers: headers(`${scan.id}.nii.gz`) });
});
