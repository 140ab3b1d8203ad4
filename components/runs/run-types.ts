import type { z } from "zod";
import type { Series } from "@/lib/charts/prepare-series";
import { ACTIVE } from "@/lib/runs/state-machine";
import type { ZRun, ZRunList, ZRunListQuery, ZRunStatus, ZRunSummary } from "@/lib/schemas/run";

export type Run = z.infer<typeof ZRun>;
export type RunSummary = z.infer<typeof ZRunSummary>;
export type RunList = z.infer<typeof ZRunList>;
export type RunStatus = z.infer<typeof ZRunStatus>;
export type RunListFilters = Omit<z.input<typeof ZRunListQuery>, "cursor" | "limit">;
export type { Series };

/** Polling stops once a run can no longer change on its own. */
export function isActive(status: RunStatus | undefined): boolean {
  return status !== undefined && ACTIVE.includes(status);
}
