import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { workerSamples } from "@/lib/services/workers/list-workers";

export const GET = route(contracts.workerSamples, async ({ actor, params }) => ({ samples: await workerSamples(actor, params.id) }));
