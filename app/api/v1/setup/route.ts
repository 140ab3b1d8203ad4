import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toUser } from "@/lib/schemas/user";
import { completeSetup } from "@/lib/services/setup/setup-link";

export const POST = route(contracts.setup, async ({ actor, ip, body }) => toUser(await completeSetup({ actor, ip }, body)));
