import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { datasetRoots } from "@/lib/services/datasets/team-datasets";

export const GET = route(contracts.datasetRoots, async ({ actor }) => ({ roots: datasetRoots(actor) }));
