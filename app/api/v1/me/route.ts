import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { smtpConfig } from "@/lib/env";
import { toUser } from "@/lib/schemas/user";
import { getSelf } from "@/lib/services/users/get-self";
import { updateSelf } from "@/lib/services/users/update-self";

function toMe(user: Awaited<ReturnType<typeof getSelf>>, tokenScopes: string[] | null) {
  return { ...toUser(user), tokenScopes, mail: { configured: !!smtpConfig(), accessDecisions: user.mailAccessDecisions, runFailures: user.mailRunFailures } };
}

const scopesOf = (actor: { kind: string; token?: { scopes: string[] } }) => (actor.kind === "user" && actor.token ? actor.token.scopes : null);

export const GET = route(contracts.me, async ({ actor }) => toMe(await getSelf(actor), scopesOf(actor)));

export const PATCH = route(contracts.updateMe, async ({ actor, ip, body }) => toMe(await updateSelf({ actor, ip }, body), scopesOf(actor)));
