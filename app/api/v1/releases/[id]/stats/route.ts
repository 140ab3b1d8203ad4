import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { releaseStats } from "@/lib/services/releases/read-releases";

export const GET = route(contracts.releaseStats, async ({ actor, params }) => releaseStats(actor, params.id));
