import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listDatasets } from "@/lib/services/datasets/list-datasets";
import { createDataset } from "@/lib/services/datasets/team-datasets";

export const GET = route(contracts.listDatasets, async ({ actor, query }) => ({ datasets: await listDatasets(actor, query) }));
export const POST = route(contracts.createDataset, async ({ actor, ip, body }) => {
  const { createdAt: _c, updatedAt: _u, ownerId: _o, description: _d, ...dataset } = await createDataset({ actor, ip }, body);
  return dataset;
});
