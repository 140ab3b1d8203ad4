import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getDataset } from "@/lib/services/datasets/list-datasets";
import { updateDataset } from "@/lib/services/datasets/team-datasets";

export const GET = route(contracts.getDataset, async ({ actor, params }) => {
  const { licenseHistory: _history, createdAt: _c, updatedAt: _u, ...dataset } = await getDataset(actor, params.id);
  return dataset;
});

export const PATCH = route(contracts.updateDataset, async ({ actor, ip, params, body }) => {
  const { createdAt: _c, updatedAt: _u, ...dataset } = await updateDataset({ actor, ip }, params.id, body);
  return dataset;
});
