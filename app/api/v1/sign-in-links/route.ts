import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { requestSignInLink } from "@/lib/services/sessions/sign-in-link";

export const POST = route(contracts.requestSignInLink, async ({ actor, ip, body }) => requestSignInLink({ actor, ip }, body.email));
