// Release pages: in the dashboard for people signed in; for visitors only when the server lists releases publicly
// (PUBLIC_RELEASES=index), in a plain frame with a way to sign in.
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { DashboardShell } from "@/components/shell/dashboard-shell";
import { pageActor } from "@/lib/auth/page-session";
import { env } from "@/lib/env";

export default async function ReleasesLayout({ children }: { children: ReactNode }) {
  const actor = await pageActor();
  if (actor.kind === "user") return <DashboardShell actor={actor}>{children}</DashboardShell>;
  if (actor.kind !== "anonymous" || env().PUBLIC_RELEASES !== "index") redirect("/login");
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">Skip to content</a>
      <header className="flex items-center gap-4 border-b border-border bg-card px-8 py-3">
        <Link href="/releases" className="text-lg font-bold tracking-tight">Hounsfield</Link>
        <span className="text-sm text-muted-fg">Model releases</span>
        <Link href="/login" className="ml-auto rounded-md border border-border px-3 py-1.5 text-sm font-medium">Sign in</Link>
      </header>
      <main id="main" className="p-8">{children}</main>
    </div>
  );
}
