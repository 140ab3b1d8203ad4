import { contracts } from "@/lib/api/contracts";
import { rangedResponse } from "@/lib/api/ranged-response";
import { route } from "@/lib/api/route";
import { openManifest } from "@/lib/services/datasets/manifest-files";

export const GET = route(contracts.versionManifest, async ({ actor, params, query }) => {
  const format = query.format === "csv" ? "csv" : "json";
  const m = await openManifest(actor, params.id, format);
  return rangedResponse({
    ranged: false, size: m.size, from: 0, stream: m.stream, filename: `${m.name}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json",
  });
});
