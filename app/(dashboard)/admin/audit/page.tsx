import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { requirePermission } from "@/lib/auth/page-session";
import { ZAuditQuery } from "@/lib/schemas/audit";
import { listAuditEvents } from "@/lib/services/audit/list-audit-events";

export const metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const actor = await requirePermission("audit:read");
  const sp = await searchParams;
  const parsed = ZAuditQuery.safeParse(sp);
  const q = parsed.success ? parsed.data : ZAuditQuery.parse({});
  const page = await listAuditEvents(actor, q);
  const next = new URLSearchParams({ ...(q.action ? { action: q.action } : {}), ...(q.actor ? { actor: q.actor } : {}), ...(page.nextBefore ? { before: page.nextBefore } : {}) });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <form role="search" className="flex flex-wrap items-end gap-3" method="get">
        <label className="flex flex-col gap-1 text-sm">
          Action starts with
          <input name="action" defaultValue={q.action} className="h-10 rounded-md border border-border bg-card px-3" placeholder="user." />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Actor
          <input name="actor" defaultValue={q.actor} className="h-10 rounded-md border border-border bg-card px-3" placeholder="email" />
        </label>
        <button type="submit" className="h-10 rounded-md border border-border px-4 text-sm">Filter</button>
      </form>
      {page.events.length === 0 ? (
        <EmptyState title="No audit events match" />
      ) : (
        <Table caption="Audit events, newest first">
          <thead>
            <tr>
              <Th>When</Th>
              <Th>Actor</Th>
              <Th>Action</Th>
              <Th>Target</Th>
              <Th>IP</Th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((e) => (
              <tr key={e.id}>
                <Td className="whitespace-nowrap tabular-nums">
                  <time dateTime={e.createdAt}>{e.createdAt.replace("T", " ").slice(0, 19)}</time>
                </Td>
                <Td>{e.actorLabel}</Td>
                <Td><code>{e.action}</code></Td>
                <Td>{e.targetType}{e.targetId ? ` ${e.targetId}` : ""}</Td>
                <Td>{e.ip ?? "—"}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.nextBefore && (
        <Link href={`/admin/audit?${next}`} className="self-start text-sm underline">
          Older events
        </Link>
      )}
    </div>
  );
}
