// The background task that turns runs with expired leases (or silent lease-less runs) into LOST and requeues
// them. Every replica of the web app starts it; a Postgres advisory lock lets one sweep per tick, and the sweep
// itself re-checks each run under its row lock, so even overlapping sweeps change a run once.
import "server-only";
import { pool } from "../db/client";
import { sweepExpiredLeases } from "../services/runs/sweep-leases";

const LOCK_KEY = 727275;

/** One tick: sweeps if no other process is sweeping right now; returns null when it stood aside. */
export async function sweepOnce(now = new Date()) {
  const c = await pool().connect();
  try {
    const { rows } = await c.query<{ got: boolean }>("SELECT pg_try_advisory_lock($1) AS got", [LOCK_KEY]);
    if (!rows[0].got) return null;
    try {
      return await sweepExpiredLeases(now);
    } finally {
      await c.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  } finally {
    c.release();
  }
}

export function startLeaseSweeper(intervalMs: number, log: (line: string) => void) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce()
      .then((r) => r?.lost && log(`lease sweep: ${r.lost} run(s) marked LOST`))
      .catch((e) => log(`lease sweep: ${(e as Error).message}`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
