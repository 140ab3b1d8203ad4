import { env } from "../../lib/env";
import { runJobProcess } from "../../server/jobs/job-process";
import { UsageError } from "../usage";

export async function run() {
  if (!env().DATABASE_URL) throw new UsageError("hounsfield jobs works on the server's database: set DATABASE_URL (hounsfield start runs a job process itself)");
  const stop = new AbortController();
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => stop.abort());
  // Started by hounsfield start: when that process is gone, so is this one.
  if (process.send) process.once("disconnect", () => stop.abort());
  const log = (l: string) => console.log(`[jobs] ${l}`);
  await runJobProcess({ log, stop: stop.signal });
  const { disconnectDb } = await import("../../lib/db/client");
  await disconnectDb().catch(() => undefined);
  log("stopped");
  process.exit(0);
}
