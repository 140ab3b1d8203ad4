import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-border bg-card p-8 shadow-sm">
        <p className="mb-6 text-center text-xl font-bold tracking-tight">Hounsfield</p>
        {children}
      </div>
    </main>
  );
}
