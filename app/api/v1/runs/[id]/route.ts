import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { deleteRun } from "@/lib/services/runs/archive-run";
import { getRun } from "@/lib/services/runs/get-run";

export const GET = route(contracts.getRun, async ({ actor, params }) => getRun(actor, params.id));

export const DELETE = route(contracts.deleteRun, async ({ actor, ip, params }) => deleteRun({ actor, ip }, params.id));
