import type { ReactNode } from "react";
import { cn } from "./cn";

const TONES = {
  neutral: "bg-muted text-muted-fg",
  ok: "bg-muted text-ok",
  warn: "bg-muted text-warn",
  danger: "bg-muted text-danger",
} as const;

export function Badge({ tone = "neutral", children, title }: { tone?: keyof typeof TONES; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={cn("inline-flex items-center rounded px-2 py-0.5 text-xs font-medium", TONES[tone])}>
      {children}
    </span>
  );
}
