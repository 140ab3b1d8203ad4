// The fine-tune starter every release carries is this server's own copy: the reference trainer's
// finetune_starter.py shipped with this version, never the file a worker put in a checkpoint. It is code the
// people who download a release run, so a worker (or whoever controls one) must not choose it.
import "server-only";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { VERSION } from "../version";

export const STARTER_NAME = "finetune_starter.py";

/** The starter's bytes (a few tens of KB, read whole so what is stored is what was hashed), their sha256 and the
 * server version they come with. */
export async function serverStarter() {
  // Resolved when asked, not at import: the route modules that reach this are also bundled by Next.
  const data = await readFile(path.resolve(import.meta.dirname, "../../workers/trainer", STARTER_NAME));
  return { data, sha256: createHash("sha256").update(data).digest("hex"), version: VERSION };
}
