import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { decideRequests } from "@/lib/services/releases/access-requests";

export const POST = route(contracts.decideAccessRequests, async ({ actor, ip, body }) => decideRequests({ actor, ip }, body));
