import { ZEmail } from "../../lib/schemas/common";
import { ZPassword } from "../../lib/schemas/user";
import { createAdmin } from "../../lib/services/users/create-admin";
import { withDatabase } from "../../server/database";
import { UsageError, type Flags } from "../usage";
import { readStdinLine } from "../stdin";

export async function run(flags: Flags) {
  if (typeof flags.email !== "string") throw new UsageError("--email is required");
  if (!flags["password-stdin"]) throw new UsageError("--password-stdin is required: pipe the password in, e.g. `echo \"$PW\" | hounsfield admin create …`");
  const email = ZEmail.safeParse(flags.email);
  if (!email.success) throw new UsageError(`--email: ${email.error.issues[0].message}`);
  const password = ZPassword.safeParse(await readStdinLine());
  if (!password.success) throw new UsageError(`password: ${password.error.issues[0].message}`);
  const name = typeof flags.name === "string" ? flags.name : email.data.split("@")[0];
  const user = await withDatabase(() => createAdmin({ actor: { kind: "system", label: "cli" } }, { email: email.data, name, password: password.data }));
  console.log(`administrator ${user.email} is ready`);
}
