// Runs a command with DATABASE_URL pointing at the embedded PostgreSQL of the data folder
// (developer helper, e.g. `npx tsx scripts/with-db.mts npx prisma migrate dev`).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { startEmbeddedPostgres } from "../lib/db/embedded";

const dir = path.resolve(process.env.HOUNSFIELD_DATA_DIR ?? ".hounsfield");
const pg = await startEmbeddedPostgres(dir);
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: tsx scripts/with-db.mts <command> [args…]");
  process.exit(2);
}
const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, DATABASE_URL: pg.url } });
await pg.stop();
process.exit(r.status ?? 1);
