import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toJob } from "@/lib/services/datasets/read-versions";
import { registerFolder } from "@/lib/services/datasets/team-datasets";

export const POST = route(contracts.registerFolder, async ({ actor, ip, params, body }) => toJob(await registerFolder({ actor, ip }, params.id, body)));
