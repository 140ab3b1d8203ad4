import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getVersion } from "@/lib/services/datasets/read-versions";
import { cancelIngest } from "@/lib/services/datasets/team-datasets";

export const POST = route(contracts.cancelIngest, async ({ actor, ip, params }) => {
  await cancelIngest({ actor, ip }, params.id, params.job);
  return getVersion(actor, params.id);
});
