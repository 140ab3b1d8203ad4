"use client";
import * as T from "@radix-ui/react-toast";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

type Toast = { id: number; title: string; description?: string; tone: "ok" | "error" };
const ToastContext = createContext<(t: Omit<Toast, "id">) => void>(() => {});

export const useToast = () => useContext(ToastContext);

/** Announced politely to screen readers; errors stay until dismissed. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((t: Omit<Toast, "id">) => setToasts((all) => [...all, { ...t, id: Date.now() + Math.random() }]), []);
  return (
    <ToastContext.Provider value={push}>
      <T.Provider swipeDirection="right" duration={5000}>
        {children}
        {toasts.map((t) => (
          <T.Root
            key={t.id}
            duration={t.tone === "error" ? Infinity : 5000}
            onOpenChange={(open) => !open && setToasts((all) => all.filter((x) => x.id !== t.id))}
            className={`rounded-md border bg-card p-4 shadow-lg ${t.tone === "error" ? "border-danger" : "border-border"}`}
          >
            <T.Title className="font-semibold">{t.title}</T.Title>
            {t.description && <T.Description className="text-sm text-muted-fg">{t.description}</T.Description>}
            <T.Close className="mt-2 text-xs underline">Dismiss</T.Close>
          </T.Root>
        ))}
        <T.Viewport className="fixed bottom-4 right-4 z-50 flex w-80 flex-col gap-2" />
      </T.Provider>
    </ToastContext.Provider>
  );
}
