import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { revokeGrant } from "@/lib/services/releases/access-requests";

export const DELETE = route(contracts.revokeGrant, async ({ actor, ip, params }) => {
  await revokeGrant({ actor, ip }, params.id);
  return { ok: true as const };
});
