import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { grantUser } from "@/lib/services/releases/access-requests";

export const POST = route(contracts.grantUser, async ({ actor, ip, params, body }) => ({ id: (await grantUser({ actor, ip }, params.id, body)).id }));
