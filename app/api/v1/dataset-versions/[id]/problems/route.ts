import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listProblems } from "@/lib/services/datasets/read-versions";

export const GET = route(contracts.listProblems, async ({ actor, params }) => listProblems(actor, params.id));
