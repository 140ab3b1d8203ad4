import { cn } from "../ui/cn";
import type { RunStatus } from "./run-types";

/** Text colour of each status; the timeline bar uses the same hue as a fill. */
export const STATUS_COLOR: Record<RunStatus, string> = {
  QUEUED: "var(--muted-fg)",
  STARTING: "var(--warn)",
  RUNNING: "var(--primary)",
  SUCCEEDED: "var(--ok)",
  FAILED: "var(--danger)",
  CANCELLED: "var(--muted-fg)",
  LOST: "var(--danger)",
  PREEMPTED: "var(--warn)",
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className="inline-flex items-center gap-1.5 rounded bg-muted px-2 py-0.5 text-xs font-medium" style={{ color: STATUS_COLOR[status] }}>
      <span aria-hidden className={cn("h-1.5 w-1.5 rounded-full bg-current", (status === "RUNNING" || status === "STARTING") && "animate-pulse")} />
      {status.toLowerCase()}
    </span>
  );
}
