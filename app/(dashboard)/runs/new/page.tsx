import Link from "next/link";
import { NewRunForm } from "@/components/runs/new-run-form";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "New run" };

export default async function NewRunPage() {
  await requirePermission("run:write");
  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-1">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-fg">
          <Link href="/runs" className="underline-offset-2 hover:underline">
            Runs
          </Link>{" "}
          / <span aria-current="page">New run</span>
        </nav>
        <h1 className="text-2xl font-semibold">New run</h1>
        <p className="text-sm text-muted-fg">The run is queued and starts when a GPU worker with enough free GPUs claims it.</p>
      </header>
      <NewRunForm />
    </div>
  );
}
