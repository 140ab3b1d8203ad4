import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { previewPng, readableScan } from "@/lib/services/datasets/previews";

// A scan never changes (versions are immutable once published; a draft's scans are never rewritten).
const CACHE = "private, max-age=86400, immutable";

export const GET = route(contracts.scanPreview, async ({ actor, params, query }) => {
  const png = await previewPng(actor, params.id, query.plane, query.window);
  return new Response(new Uint8Array(png), { headers: { "content-type": "image/png", "content-length": String(png.length), "cache-control": CACHE } });
});

/** The same decision as a GET, without rendering the plane. */
export const HEAD = route(contracts.scanPreview, async ({ actor, params }) => {
  await readableScan(actor, params.id);
  return new Response(null, { headers: { "content-type": "image/png", "cache-control": CACHE } });
});
