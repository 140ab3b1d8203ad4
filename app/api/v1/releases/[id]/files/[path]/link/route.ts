import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { createDownloadLink } from "@/lib/services/releases/release-downloads";

export const POST = route(contracts.createDownloadLink, async ({ actor, ip, params }) => createDownloadLink({ actor, ip }, params.id, params.path));
