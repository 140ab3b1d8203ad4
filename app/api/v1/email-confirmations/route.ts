import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { confirmEmail } from "@/lib/services/users/confirm-email";

export const POST = route(contracts.confirmEmail, async ({ actor, ip, body }) => confirmEmail({ actor, ip }, body.token));
