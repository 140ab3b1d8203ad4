import "server-only";
import type pg from "pg";
import type { Tx } from "../../db/client";

// Written at most every few seconds, so a busy run costs one small UPDATE per batch at most.
const SQL = `UPDATE "Run" SET "lastActivityAt" = now() AT TIME ZONE 'UTC'
  WHERE id = $1 AND ("lastActivityAt" IS NULL OR "lastActivityAt" < (now() AT TIME ZONE 'UTC') - interval '5 seconds')`;

/** Marks a run as alive: its metrics, logs or status were just written. */
export async function touchRun(c: pg.PoolClient, runId: string) {
  await c.query(SQL, [runId]);
}

export async function touchRunTx(tx: Tx, runId: string) {
  await tx.$executeRawUnsafe(SQL, runId);
}
