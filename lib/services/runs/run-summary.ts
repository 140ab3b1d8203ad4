import "server-only";
import { db } from "../../db/client";
import { runSummaryInclude } from "./list-runs";
import { toRunSummary } from "./to-run";

/** The summary shape of a run a service just changed (the caller was authorized by that service). */
export async function runSummary(id: string) {
  return toRunSummary(await db.run.findUniqueOrThrow({ where: { id }, include: runSummaryInclude }));
}
