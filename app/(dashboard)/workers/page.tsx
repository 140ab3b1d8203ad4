import { AttachWorker } from "@/components/workers/attach-worker";
import { WorkersPanel } from "@/components/workers/workers-panel";
import { can } from "@/lib/auth/policy";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Workers" };

export default async function WorkersPage() {
  const actor = await requirePermission("worker:read");
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">Workers</h1>
        <p className="text-sm text-muted-fg">Machines that run queued runs. A worker that misses heartbeats for 90 s is lost; its runs go back to the queue and resume from their last checkpoint.</p>
      </header>
      <WorkersPanel canManage={can(actor, "worker:manage")} />
      <AttachWorker />
    </div>
  );
}
