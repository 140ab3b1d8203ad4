import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { updateRelease } from "@/lib/services/releases/create-release";
import { getRelease } from "@/lib/services/releases/read-releases";

export const GET = route(contracts.getRelease, async ({ actor, params }) => getRelease(actor, params.id));
export const PATCH = route(contracts.updateRelease, async ({ actor, ip, params, body }) => getRelease(actor, (await updateRelease({ actor, ip }, params.id, body)).id));
