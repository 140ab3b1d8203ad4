import type { ReactNode } from "react";
import { cn } from "../ui/cn";

/** Badge row plus chart: a message takes the same room so panels do not jump when data arrives. */
export const PANEL_HEIGHT = 248;

export function PanelMessage({ children, tone, busy, onRetry }: { children: ReactNode; tone?: "danger"; busy?: boolean; onRetry?: () => void }) {
  return (
    <div
      role={tone === "danger" ? "alert" : "status"}
      aria-busy={busy || undefined}
      style={{ height: PANEL_HEIGHT }}
      className={cn("flex flex-col items-center justify-center gap-2 rounded-md bg-muted/40 px-6 text-center text-sm", tone === "danger" ? "text-danger" : "text-muted-fg")}
    >
      <p>{children}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className="rounded px-2 text-fg underline">
          Retry
        </button>
      )}
    </div>
  );
}
