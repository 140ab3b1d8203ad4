import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getVersion } from "@/lib/services/datasets/read-versions";
import { publishVersion } from "@/lib/services/datasets/team-datasets";

export const POST = route(contracts.publishVersion, async ({ actor, ip, params }) => getVersion(actor, (await publishVersion({ actor, ip }, params.id)).id));
