import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { registerUser } from "@/lib/services/users/register-user";

export const POST = route(contracts.register, async ({ actor, ip, body }) => registerUser({ actor, ip }, body));
