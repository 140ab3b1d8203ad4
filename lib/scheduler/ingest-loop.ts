// Dataset ingestion in the background of every server: claims queued jobs (or jobs whose server stopped), one at
// a time, and runs them to the end. Several replicas share the queue through SKIP LOCKED and each job's lock.
import "server-only";
import { drainIngestJobs } from "../services/datasets/ingest";

export function startIngestLoop(intervalMs: number, log: (line: string) => void) {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    drainIngestJobs()
      .then((n) => n && log(`dataset ingestion: ${n} job(s) finished`))
      .catch((e) => log(`dataset ingestion: ${(e as Error).message}`))
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
