import { SessionsPanel } from "@/components/sessions/sessions-panel";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Sessions" };

export default async function SessionsPage() {
  await requirePermission("session:read");
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">Sessions</h1>
        <p className="text-sm text-muted-fg">Where you are signed in. Signing a session out ends it on its next request; API tokens are managed separately.</p>
      </header>
      <SessionsPanel />
    </div>
  );
}
