import { revokeTokenByPrefixOrId } from "../../lib/services/tokens/revoke-token";
import { withDatabase } from "../../server/database";
import { UsageError } from "../usage";

export async function run(_flags: unknown, rest: string[]) {
  const id = rest[0];
  if (!id) throw new UsageError("name the token id or its prefix");
  const t = await withDatabase(() => revokeTokenByPrefixOrId({ actor: { kind: "system", label: "cli" } }, id));
  console.log(`revoked token ${t.name} (${t.prefix}…)`);
}
