// The background tasks every replica of the web app starts: turning runs with expired leases (or silent
// lease-less runs) into LOST and requeueing them, and pruning old rate-limit records and GPU samples. A Postgres advisory lock
// lets one replica work per tick, and the sweep itself re-checks each run under its row lock, so even
// overlapping sweeps change a run once.
import "server-only";
import { pool } from "../db/client";
import { pruneRateLimits } from "../services/limits/prune-limits";
import { pruneWorkerSamples } from "../services/workers/prune-samples";
import { pruneUploads } from "../uploads/tus-server";
import { sweepExpiredLeases } from "../services/leases/expire";

const LOCK_KEY = 727275;

/** One tick: sweeps if no other process is sweeping right now; returns null when it stood aside. The lock is
 * transaction-scoped on a connection of its own, so it ends with that transaction whatever happens (a failed
 * connection is discarded, not returned to the pool still holding it). */
export async function sweepOnce(now = new Date()) {
  const c = await pool().connect();
  let broken: Error | undefined;
  try {
    await c.query("BEGIN");
    const { rows } = await c.query<{ got: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS got", [LOCK_KEY]);
    try {
      return rows[0].got ? await sweepExpiredLeases(now) : null;
    } finally {
      await c.query("COMMIT");
    }
  } catch (e) {
    broken = e as Error;
    throw e;
  } finally {
    c.release(broken);
  }
}

const PRUNE_EVERY_MS = 3_600_000;

export function startBackgroundTasks(intervalMs: number, log: (line: string) => void) {
  let running = false;
  let pruned = 0;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce()
      .then(async (r) => {
        if (r?.lost) log(`lease sweep: ${r.lost} run(s) marked LOST`);
        if (r && Date.now() - pruned > PRUNE_EVERY_MS) {
          pruned = Date.now();
          await pruneRateLimits();
          await pruneWorkerSamples();
          await pruneUploads().catch((e) => log(`pruning uploads: ${(e as Error).message}`));
        }
      })
      .catch((e) => log(`lease sweep: ${(e as Error).message}`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
