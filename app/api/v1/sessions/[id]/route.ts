import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { revokeSession } from "@/lib/services/sessions/revoke-sessions";

export const DELETE = route(contracts.revokeSession, async ({ actor, ip, params }) => revokeSession({ actor, ip }, params.id));
