import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toUser } from "@/lib/schemas/user";
import { updateUser } from "@/lib/services/users/update-user";

export const PATCH = route(contracts.updateUser, async ({ actor, ip, params, body }) => toUser(await updateUser({ actor, ip }, params.id, body)));
