import { Breadcrumb } from "@/components/ui/breadcrumb";
import { NewRunForm } from "@/components/runs/new-run-form";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "New run" };

export default async function NewRunPage() {
  await requirePermission("run:write");
  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-1">
        <Breadcrumb parent={{ href: "/runs", label: "Runs" }} current="New run" />
        <h1 className="text-2xl font-semibold">New run</h1>
        <p className="text-sm text-muted-fg">The run is queued and starts when a GPU worker with enough free GPUs claims it.</p>
      </header>
      <NewRunForm />
    </div>
  );
}
