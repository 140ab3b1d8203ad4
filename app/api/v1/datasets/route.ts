import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listDatasets } from "@/lib/services/datasets/list-datasets";

export const GET = route(contracts.listDatasets, async ({ actor, query }) => ({ datasets: await listDatasets(actor, query) }));
