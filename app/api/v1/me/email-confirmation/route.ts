import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { requestEmailConfirmation } from "@/lib/services/users/confirm-email";

export const POST = route(contracts.requestEmailConfirmation, async ({ actor, ip }) => requestEmailConfirmation({ actor, ip }));
