"use client";
import * as T from "@radix-ui/react-tabs";
import type { ReactNode } from "react";

/** Arrow keys move between tabs (Radix implements the ARIA tabs pattern). */
export function Tabs({ tabs, defaultValue, label }: { tabs: { value: string; label: string; content: ReactNode }[]; defaultValue?: string; label: string }) {
  return (
    <T.Root defaultValue={defaultValue ?? tabs[0]?.value}>
      <T.List aria-label={label} className="flex gap-1 border-b border-border">
        {tabs.map((t) => (
          <T.Trigger key={t.value} value={t.value} className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm data-[state=active]:border-primary data-[state=active]:font-semibold">
            {t.label}
          </T.Trigger>
        ))}
      </T.List>
      {tabs.map((t) => (
        <T.Content key={t.value} value={t.value} className="pt-4">
          {t.content}
        </T.Content>
      ))}
    </T.Root>
  );
}
