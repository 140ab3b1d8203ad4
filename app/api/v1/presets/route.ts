import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listPresets } from "@/lib/services/runs/list-presets";

export const GET = route(contracts.presets, async ({ actor }) => ({ presets: listPresets(actor) }));
