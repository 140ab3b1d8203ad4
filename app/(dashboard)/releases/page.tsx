import { EmptyState } from "@/components/ui/empty-state";
import { requirePermission } from "@/lib/auth/page-session";

export const metadata = { title: "Releases" };

export default async function ReleasesPage() {
  await requirePermission("release:read");
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Releases</h1>
      <EmptyState title="No releases published yet">
        A release is a checkpoint published with its model card, license and preprocessing contract. Researchers promote
        checkpoints from a run; approved users download the weights here.
      </EmptyState>
    </div>
  );
}
