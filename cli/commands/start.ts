import { env } from "../../lib/env";
import { start } from "../../server/start";

export async function run() {
  await start({ port: env().PORT, hostname: env().HOSTNAME });
}
