import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toUser } from "@/lib/schemas/user";
import { registerUser } from "@/lib/services/users/register-user";

export const POST = route(contracts.register, async ({ actor, ip, body }) => toUser(await registerUser({ actor, ip }, body)));
