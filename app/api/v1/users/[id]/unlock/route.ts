import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { unlockUser } from "@/lib/services/users/unlock-user";

export const POST = route(contracts.unlockUser, async ({ actor, ip, params }) => unlockUser({ actor, ip }, params.id));
