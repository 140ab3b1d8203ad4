import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { manifestCsv, versionManifest } from "@/lib/services/datasets/version-insights";

export const GET = route(contracts.versionManifest, async ({ actor, params, query }) => {
  const m = await versionManifest(actor, params.id);
  const name = `${m.dataset}-${m.version}-manifest`.replace(/[^\w.-]/g, "_");
  if (query.format === "csv") {
    return new Response(manifestCsv(m), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}.csv"`, "cache-control": "private, no-store" } });
  }
  return new Response(JSON.stringify(m, null, 2), { headers: { "content-type": "application/json", "content-disposition": `attachment; filename="${name}.json"`, "cache-control": "private, no-store" } });
});
