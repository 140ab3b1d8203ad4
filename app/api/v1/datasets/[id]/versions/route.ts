import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getVersion, listVersions } from "@/lib/services/datasets/read-versions";
import { createVersion } from "@/lib/services/datasets/team-datasets";

export const GET = route(contracts.listVersions, async ({ actor, params }) => ({ versions: await listVersions(actor, params.id) }));
export const POST = route(contracts.createVersion, async ({ actor, ip, params, body }) => getVersion(actor, (await createVersion({ actor, ip }, params.id, body)).id));
