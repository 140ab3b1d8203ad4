import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { previewPng } from "@/lib/services/datasets/previews";

export const GET = route(contracts.scanPreview, async ({ actor, params, query }) => {
  const png = await previewPng(actor, params.id, query.plane, query.window);
  // A scan never changes (versions are immutable once published; a draft's scans are never rewritten).
  return new Response(new Uint8Array(png), { headers: { "content-type": "image/png", "content-length": String(png.length), "cache-control": "private, max-age=86400, immutable" } });
});
