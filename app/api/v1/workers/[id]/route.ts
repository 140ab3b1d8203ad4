import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { getWorker } from "@/lib/services/workers/list-workers";
import { removeWorker, setDraining } from "@/lib/services/workers/manage-worker";

export const GET = route(contracts.getWorker, async ({ actor, params }) => getWorker(actor, params.id));

export const PATCH = route(contracts.updateWorker, async ({ actor, ip, params, body }) => {
  await setDraining({ actor, ip }, params.id, body.draining);
  return getWorker(actor, params.id);
});

export const DELETE = route(contracts.removeWorker, async ({ actor, ip, params }) => {
  await removeWorker({ actor, ip }, params.id);
  return { id: params.id, removed: true as const };
});
