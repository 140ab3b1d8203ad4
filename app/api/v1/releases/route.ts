import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { createRelease } from "@/lib/services/releases/create-release";
import { getRelease, listReleases } from "@/lib/services/releases/read-releases";

export const GET = route(contracts.listReleases, async ({ actor, query }) => ({ releases: await listReleases(actor, query) }));
export const POST = route(contracts.createRelease, async ({ actor, ip, body }) => getRelease(actor, (await createRelease({ actor, ip }, body)).id));
