import { contracts } from "@/lib/api/contracts";
import { buildOpenApi } from "@/lib/api/openapi";
import { route } from "@/lib/api/route";
import { VERSION } from "@/lib/version";

export const GET = route(contracts.openapi, async () => buildOpenApi(VERSION));
