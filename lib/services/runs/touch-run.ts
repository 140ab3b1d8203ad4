import "server-only";
import { sqlExec, type Executor } from "../../db/sql";

// Written at most every few seconds, so a busy run costs one small UPDATE per batch at most.
const SQL = `UPDATE "Run" SET "lastActivityAt" = now() AT TIME ZONE 'UTC'
  WHERE id = $1 AND ("lastActivityAt" IS NULL OR "lastActivityAt" < (now() AT TIME ZONE 'UTC') - interval '5 seconds')`;

/** Marks a run as alive: its metrics, logs or status were just written. */
export async function touchRun(on: Executor, runId: string) {
  await sqlExec(on, SQL, [runId]);
}
