import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { claimRun } from "@/lib/services/leases/claim";

export const POST = route(contracts.claimRun, async ({ actor, ip, params, body }) => ({ run: await claimRun({ actor, ip }, params.id, body.claimId, body.instanceId) }));
