import type { ReactNode } from "react";

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <section aria-label={title} className="flex flex-col items-center gap-3 rounded-lg border border-dashed border-border p-10 text-center">
      <h2 className="text-lg font-semibold">{title}</h2>
      {children && <div className="max-w-prose text-sm text-muted-fg">{children}</div>}
      {action}
    </section>
  );
}
