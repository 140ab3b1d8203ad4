import { AccessQueue } from "@/components/releases/access-queue";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Access requests" };

export default async function AccessPage() {
  await requirePermission("access:decide");
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">Access requests</h1>
        <p className="text-sm text-muted-fg">People asking for gated releases. Approve or deny with a reason; approved access can expire and be revoked at once.</p>
      </header>
      <AccessQueue />
    </div>
  );
}
