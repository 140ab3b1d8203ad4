import { ZEmail } from "../../lib/schemas/common";
import { ZCreateToken } from "../../lib/schemas/token";
import { createToken } from "../../lib/services/tokens/create-token";
import { withDatabase } from "../../server/database";
import { UsageError, type Flags } from "../usage";

export async function run(flags: Flags) {
  if (typeof flags.email !== "string") throw new UsageError("--email is required");
  const email = ZEmail.safeParse(flags.email);
  if (!email.success) throw new UsageError(`--email: ${email.error.issues[0].message}`);
  const input = ZCreateToken.safeParse({
    name: flags.name,
    scopes: typeof flags.scopes === "string" ? flags.scopes.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    ...(typeof flags.expires === "string" ? { expiresInDays: Number(flags.expires) } : {}),
  });
  if (!input.success) throw new UsageError(input.error.issues.map((i) => `--${i.path[0] === "expiresInDays" ? "expires" : String(i.path[0])}: ${i.message}`).join("\n"));
  const token = await withDatabase(() => createToken({ actor: { kind: "system", label: "cli" } }, input.data, email.data));
  console.error(`token ${token.name} (${token.scopes.join(", ")}) for ${email.data}; it will not be shown again:`);
  console.log(token.secret);
}
