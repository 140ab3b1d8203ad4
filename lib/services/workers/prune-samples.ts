import "server-only";
import { db } from "../../db/client";

/** GPU samples are charted for the last hour and kept a day: 100 workers × 8 GPUs × one every 10 s is 7 M rows a
 * day, so older ones go (hourly, with the other background pruning). */
export async function pruneWorkerSamples(now = new Date()) {
  const { count } = await db.workerSample.deleteMany({ where: { at: { lt: new Date(now.getTime() - 86_400_000) } } });
  return count;
}
