import Link from "next/link";
import { UsersTable } from "@/components/admin/users-table";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Admin" };

export default async function AdminPage() {
  const actor = await requirePermission("user:manage");
  return (
    <div className="flex flex-col gap-6">
      <header className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Users</h1>
        <Link href="/admin/audit" className="text-sm underline">
          Audit log
        </Link>
      </header>
      <UsersTable selfId={actor.id} />
    </div>
  );
}
