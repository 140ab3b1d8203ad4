import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { publishRelease } from "@/lib/services/releases/create-release";
import { getRelease } from "@/lib/services/releases/read-releases";

export const POST = route(contracts.publishRelease, async ({ actor, ip, params, body }) => getRelease(actor, (await publishRelease({ actor, ip }, params.id, body)).id));
