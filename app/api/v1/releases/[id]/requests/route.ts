import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listRequests, requestAccess } from "@/lib/services/releases/access-requests";

export const POST = route(contracts.requestAccess, async ({ actor, ip, params, body }) => {
  const req = await requestAccess({ actor, ip }, params.id, body);
  return (await listRequests(actor, { mine: "true" })).find((r) => r.id === req.id)!;
});
