"use client";
import * as D from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

/** Modal with focus trap, Escape to close and a labelled title (Radix). */
export function Dialog({ open, onOpenChange, title, description, children }: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="fixed inset-0 bg-black/40" />
        <D.Content className="fixed left-1/2 top-1/2 w-[min(32rem,92vw)] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-border bg-card p-6 text-fg shadow-xl">
          <D.Title className="text-lg font-semibold">{title}</D.Title>
          {description ? <D.Description className="mt-1 text-sm text-muted-fg">{description}</D.Description> : <D.Description className="sr-only">{title}</D.Description>}
          <div className="mt-4">{children}</div>
          <D.Close className="absolute right-3 top-3 rounded px-2 text-muted-fg hover:bg-muted" aria-label="Close">
            ×
          </D.Close>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}
