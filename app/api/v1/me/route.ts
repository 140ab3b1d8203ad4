import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toUser } from "@/lib/schemas/user";
import { getSelf } from "@/lib/services/users/get-self";

export const GET = route(contracts.me, async ({ actor }) => {
  const user = await getSelf(actor);
  return { ...toUser(user), tokenScopes: actor.kind === "user" && actor.token ? actor.token.scopes : null };
});
