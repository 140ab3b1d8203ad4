import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toToken } from "@/lib/schemas/token";
import { revokeToken } from "@/lib/services/tokens/revoke-token";

export const DELETE = route(contracts.revokeToken, async ({ actor, ip, params }) => toToken(await revokeToken({ actor, ip }, params.id)));
