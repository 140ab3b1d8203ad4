import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listRequests } from "@/lib/services/releases/access-requests";

export const GET = route(contracts.listAccessRequests, async ({ actor, query }) => ({ requests: await listRequests(actor, query) }));
