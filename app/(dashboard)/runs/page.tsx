import { EmptyState } from "@/components/ui/empty-state";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Runs" };

export default async function RunsPage() {
  await requirePermission("run:read");
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Runs</h1>
      <EmptyState title="No training runs yet">
        Runs are self-supervised pretraining jobs on your GPU workers. Attach a worker, then start a run from a dataset mix;
        its loss curves appear here live.
      </EmptyState>
    </div>
  );
}
