import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { deprecateRelease } from "@/lib/services/releases/create-release";
import { getRelease } from "@/lib/services/releases/read-releases";

export const POST = route(contracts.deprecateRelease, async ({ actor, ip, params, body }) => getRelease(actor, (await deprecateRelease({ actor, ip }, params.id, body)).id));
