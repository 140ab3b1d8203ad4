import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toToken } from "@/lib/schemas/token";
import { createToken } from "@/lib/services/tokens/create-token";
import { listTokens } from "@/lib/services/tokens/list-tokens";

export const GET = route(contracts.listTokens, async ({ actor, query }) => ({ tokens: (await listTokens(actor, query.all === "true")).map(toToken) }));

export const POST = route(contracts.createToken, async ({ actor, ip, body }) => {
  const token = await createToken({ actor, ip }, body);
  return { ...toToken(token), secret: token.secret };
});
