// The frame of every page for people who are signed in (the dashboard's and the releases' layouts).
import Link from "next/link";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { NavLinks } from "./nav-links";
import { NotificationsBell } from "./notifications-bell";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";
import { can, type UserActor } from "@/lib/auth/policy";

/** The signed-in frame: navigation for what the person may do, notifications, account and theme. On a phone the
 * navigation sits above the page instead of beside it, so pages keep the screen's width. */
export async function DashboardShell({ actor, children }: { actor: UserActor; children: ReactNode }) {
  const theme = (await cookies()).get("theme")?.value;
  const items = [
    { href: "/datasets", label: "Datasets", show: can(actor, "dataset:read") },
    { href: "/runs", label: "Runs", show: can(actor, "run:read") },
    { href: "/workers", label: "Workers", show: can(actor, "worker:read") },
    { href: "/releases", label: "Releases", show: can(actor, "release:read") },
    { href: "/admin", label: "Admin", show: can(actor, "user:manage") },
    { href: "/admin/access", label: "Access requests", show: can(actor, "access:decide") },
    { href: "/settings/account", label: "Account", show: can(actor, "profile:read") },
    { href: "/settings/tokens", label: "API tokens", show: can(actor, "token:read") },
    { href: "/settings/sessions", label: "Sessions", show: can(actor, "session:read") },
    { href: "/api-docs", label: "API", show: true },
  ].filter((i) => i.show);
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <nav aria-label="Main" className="flex w-full shrink-0 flex-col gap-3 border-b border-border bg-card p-3 md:w-56 md:gap-4 md:border-b-0 md:border-r md:p-4">
        <Link href="/" className="px-3 text-lg font-bold tracking-tight">
          Hounsfield
        </Link>
        <NavLinks items={items} />
        <NotificationsBell />
        <div className="flex flex-wrap items-center gap-2 px-3 text-sm md:mt-auto md:flex-col md:flex-nowrap md:items-stretch">
          <span className="min-w-0 truncate" title={actor.email}>
            {actor.email}
          </span>
          <span className="text-xs text-muted-fg">{actor.role.toLowerCase()}</span>
          <ThemeToggle initial={theme === "dark" || theme === "light" ? theme : "system"} />
          <SignOutButton />
        </div>
      </nav>
      <main id="main" className="min-w-0 flex-1 p-4 md:p-8">
        {children}
      </main>
    </div>
  );
}
