import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getDataset } from "@/lib/services/datasets/list-datasets";

export const GET = route(contracts.getDataset, async ({ actor, params }) => {
  const { licenseHistory: _history, createdAt: _c, updatedAt: _u, ...dataset } = await getDataset(actor, params.id);
  return dataset;
});
