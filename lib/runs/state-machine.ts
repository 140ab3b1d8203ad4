// Which status changes a run may make. Anything else is refused, so the status never claims what didn't happen.
import type { RunStatus } from "../../generated/prisma/enums";

export const TRANSITIONS: Record<RunStatus, RunStatus[]> = {
  QUEUED: ["STARTING", "CANCELLED"],
  STARTING: ["RUNNING", "FAILED", "CANCELLED", "LOST", "PREEMPTED"],
  RUNNING: ["SUCCEEDED", "FAILED", "CANCELLED", "LOST", "PREEMPTED"],
  // A lost or preempted run is requeued (and resumes from its last checkpoint) or given up.
  LOST: ["QUEUED", "FAILED", "CANCELLED"],
  PREEMPTED: ["QUEUED", "FAILED", "CANCELLED"],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export const ACTIVE: RunStatus[] = ["QUEUED", "STARTING", "RUNNING"];
export const TERMINAL: RunStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

export function canTransition(from: RunStatus, to: RunStatus) {
  return TRANSITIONS[from].includes(to);
}
