import type { ReactNode } from "react";
import { DashboardShell } from "@/components/shell/dashboard-shell";
import { requireUser } from "@/lib/auth/page-session";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  return <DashboardShell actor={await requireUser()}>{children}</DashboardShell>;
}
