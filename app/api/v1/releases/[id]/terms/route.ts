import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { acceptTerms } from "@/lib/services/releases/access-requests";
import { getRelease } from "@/lib/services/releases/read-releases";

export const POST = route(contracts.acceptTerms, async ({ actor, ip, params, body }) => {
  await acceptTerms({ actor, ip }, params.id, body.termsVersion);
  return getRelease(actor, params.id);
});
