import Link from "next/link";
import { formatBytes } from "@/components/datasets/format";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { releaseReader } from "@/lib/auth/page-session";
import { listReleases } from "@/lib/services/releases/read-releases";

export const metadata = { title: "Releases" };

const POLICY = { OPEN: "open to everyone signed in", GATED: "access on request", PRIVATE: "named people only" } as const;

export default async function ReleasesPage() {
  const actor = await releaseReader();
  const releases = await listReleases(actor);
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">Releases</h1>
        <p className="text-sm text-muted-fg">Checkpoints published with their model card, license and preprocessing contract.</p>
      </header>
      {releases.length === 0 ? (
        <EmptyState title="No releases yet">
          A release is a checkpoint published with its model card, license and preprocessing contract. Researchers promote checkpoints from a
          run&apos;s page; approved users download the weights here.
        </EmptyState>
      ) : (
        <Table caption="Releases you can see">
          <thead><tr><Th>Release</Th><Th>License</Th><Th>Access</Th><Th className="text-right">Weights</Th><Th className="text-right">Downloads</Th><Th>Your access</Th></tr></thead>
          <tbody>
            {releases.map((r) => (
              <tr key={r.id}>
                <Td>
                  <Link className="font-medium underline-offset-2 hover:underline" href={`/releases/${r.id}`}>{r.name}</Link> <span className="text-muted-fg">{r.version}</span>
                  <div className="mt-1 flex gap-1">
                    {r.status === "DRAFT" && <Badge tone="warn">draft</Badge>}
                    {r.deprecatedAt && <Badge tone="warn">deprecated</Badge>}
                  </div>
                </Td>
                <Td>{r.license}</Td>
                <Td>{POLICY[r.policy]}</Td>
                <Td className="text-right tabular-nums">{formatBytes(r.files.find((f) => f.kind === "weights")?.bytes ?? 0)}</Td>
                <Td className="text-right tabular-nums">{r.downloads.toLocaleString("en")}</Td>
                <Td>{actor.kind !== "user" ? <Link className="underline" href="/login">sign in</Link> : r.access.canDownload ? <Badge tone="ok">can download</Badge> : r.access.request === "PENDING" ? <Badge>requested</Badge> : <Badge tone="neutral">{r.policy === "GATED" ? "request access" : "no access"}</Badge>}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
