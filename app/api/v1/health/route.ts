import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { databaseReachable } from "@/lib/db/health";
import { VERSION } from "@/lib/version";

export const GET = route(contracts.health, async () => {
  const ok = await databaseReachable();
  return Response.json({ ok, version: VERSION }, { status: ok ? 200 : 503 });
});
