"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { z } from "zod";
import { apiFetch } from "@/lib/api/client-fetch";
import type { ZAccessRequestList } from "@/lib/schemas/release";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Input } from "../ui/input";
import { Table, Td, Th } from "../ui/table";

type Req = z.output<typeof ZAccessRequestList>["requests"][number];

/** The admin queue: pending requests first, chosen ones decided together with one reason; grants revocable. */
export function AccessQueue() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ["access-requests"], queryFn: () => apiFetch<{ requests: Req[] }>("/access-requests"), refetchInterval: 15_000 });
  const [chosen, setChosen] = useState<string[]>([]);
  const [reason, setReason] = useState("");
  const [days, setDays] = useState("");
  const refresh = () => client.invalidateQueries({ queryKey: ["access-requests"] });
  const decide = useMutation({
    mutationFn: (approve: boolean) => apiFetch("/access-requests/decisions", { method: "POST", body: { ids: chosen, approve, reason, ...(approve && days ? { expiresInDays: Number(days) } : {}) } }),
    onSuccess: () => {
      setChosen([]);
      setReason("");
      void refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (grant: string) => apiFetch(`/access-grants/${grant}`, { method: "DELETE" }), onSuccess: () => void refresh() });
  const rows = list.data?.requests ?? [];
  const pending = rows.filter((r) => r.status === "PENDING");
  if (list.isPending) return <p className="text-sm text-muted-fg">Loading requests…</p>;
  if (!rows.length) return <EmptyState title="No requests yet">When someone asks for a gated release, the request appears here and you are notified.</EmptyState>;
  const tone = { PENDING: "neutral", APPROVED: "ok", DENIED: "danger", WITHDRAWN: "warn" } as const;
  return (
    <div className="flex flex-col gap-3">
      {pending.length > 0 && (
        <div className="flex flex-wrap items-end gap-2 rounded border border-border p-3">
          <span className="text-sm">{chosen.length} of {pending.length} pending chosen</span>
          <Input label="Reason (shown to the requester)" value={reason} onChange={(e) => setReason(e.target.value)} />
          <Input label="Access for (days, empty: no end)" type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} className="w-40" />
          <Button disabled={!chosen.length || decide.isPending} onClick={() => decide.mutate(true)}>Approve</Button>
          <Button variant="secondary" disabled={!chosen.length || decide.isPending} onClick={() => decide.mutate(false)}>Deny</Button>
          {decide.error && <p role="alert" className="w-full text-sm text-danger">{(decide.error as Error).message}</p>}
        </div>
      )}
      <Table caption="Access requests, newest first">
        <thead><tr><Th><span className="sr-only">Choose</span></Th><Th>Release</Th><Th>Who</Th><Th>Institution, role, use</Th><Th>Status</Th><Th>Access</Th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <Td>{r.status === "PENDING" && <input type="checkbox" aria-label={`Choose the request of ${r.user} for ${r.release}`} checked={chosen.includes(r.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, r.id] : chosen.filter((x) => x !== r.id))} />}</Td>
              <Td><Link className="underline" href={`/releases/${r.releaseId}`}>{r.release}</Link></Td>
              <Td>{r.user}</Td>
              <Td className="text-sm">{String(r.answers.institution ?? "")} · {String(r.answers.role ?? "")}<div className="text-xs text-muted-fg">{String(r.answers.intendedUse ?? "")}</div></Td>
              <Td><Badge tone={tone[r.status]}>{r.status.toLowerCase()}</Badge>{r.reason && <div className="text-xs text-muted-fg">{r.reason}</div>}</Td>
              <Td className="text-sm">
                {r.grant ? (r.grant.revokedAt ? "revoked" : (
                  <span className="flex items-center gap-2">
                    {r.grant.expiresAt ? `until ${r.grant.expiresAt.slice(0, 10)}` : "no end"}
                    <Button size="sm" variant="secondary" onClick={() => revoke.mutate(r.grant!.id)}>Revoke</Button>
                  </span>
                )) : "—"}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
