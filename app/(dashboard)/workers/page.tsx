import { EmptyState } from "@/components/ui/empty-state";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Workers" };

export default async function WorkersPage() {
  await requirePermission("worker:read");
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Workers</h1>
      <EmptyState title="No GPU workers attached">
        A worker is a GPU machine (or a Slurm cluster) that picks up queued runs. Create an API token with the
        <code> worker</code> scope under API tokens, then start the agent on the machine with that token.
      </EmptyState>
    </div>
  );
}
