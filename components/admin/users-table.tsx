"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Input } from "../ui/input";
import { Table, Td, Th } from "../ui/table";
import { useToast } from "../ui/toast";

type User = {
  id: string; email: string; name: string; role: string; requestedRole: string | null; disabled: boolean; lastLoginAt: string | null;
  emailProof: "ASSIGNED" | "SSO" | "LINK" | null; emailConfirmed: boolean; failedSignIns: number;
};

const PROOF = { SSO: "address confirmed (SSO)", LINK: "address confirmed (email link)", ASSIGNED: "address entered by an admin", none: "address not confirmed" } as const;
type Patch = { role?: string; disabled?: boolean; requestedRole?: "approve" | "decline" };

export function UsersTable({ selfId }: { selfId: string }) {
  const [q, setQ] = useState("");
  const toast = useToast();
  const client = useQueryClient();
  const users = useQuery({
    queryKey: ["users", q],
    queryFn: () => apiFetch<{ users: User[] }>(`/users?limit=200${q ? `&q=${encodeURIComponent(q)}` : ""}`),
  });
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Patch }) => apiFetch<User>(`/users/${id}`, { method: "PATCH", body: patch }),
    onSuccess: (u) => {
      toast({ tone: "ok", title: `Updated ${u.email}` });
      client.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (e) => toast({ tone: "error", title: "Could not update the user", description: e instanceof ApiProblem ? e.message : String(e) }),
  });
  const unlock = useMutation({
    mutationFn: (u: User) => apiFetch<{ cleared: number }>(`/users/${u.id}/unlock`, { method: "POST" }).then((r) => ({ ...r, email: u.email })),
    onSuccess: (r) => {
      toast({ tone: "ok", title: `Unlocked ${r.email}`, description: `${r.cleared} failed sign-in${r.cleared === 1 ? "" : "s"} forgotten: they can sign in again.` });
      client.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (e) => toast({ tone: "error", title: "Could not unlock the user", description: e instanceof ApiProblem ? e.message : String(e) }),
  });
  const rows = users.data?.users ?? [];
  return (
    <div className="flex flex-col gap-4">
      <Input label="Find a user" value={q} onChange={(e) => setQ(e.target.value)} placeholder="email or name" className="w-72" />
      {users.isLoading && <p role="status">Loading users…</p>}
      {users.isError && <p role="alert" className="text-danger">Could not load users: {String(users.error)}</p>}
      {!users.isLoading && rows.length === 0 && <EmptyState title="No users match" />}
      {rows.length > 0 && (
        <Table caption="Users">
          <thead>
            <tr>
              <Th>User</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Last sign-in</Th>
              <Th>Actions</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id} data-testid={`user-${u.email}`}>
                <Td>
                  <div className="font-medium">{u.name}</div>
                  <div className="text-xs text-muted-fg">{u.email}</div>
                </Td>
                <Td>
                  <label className="sr-only" htmlFor={`role-${u.id}`}>Role of {u.email}</label>
                  <select
                    id={`role-${u.id}`}
                    value={u.role}
                    disabled={u.id === selfId || update.isPending}
                    onChange={(e) => update.mutate({ id: u.id, patch: { role: e.target.value } })}
                    className="h-8 rounded border border-border bg-card px-2"
                  >
                    <option value="ADMIN">admin</option>
                    <option value="RESEARCHER">researcher</option>
                    <option value="CLINICIAN">clinician</option>
                  </select>
                  {u.requestedRole && (
                    <div className="mt-2 flex items-center gap-2">
                      <Badge tone="warn">asks for {u.requestedRole.toLowerCase()}</Badge>
                      <Button size="sm" onClick={() => update.mutate({ id: u.id, patch: { requestedRole: "approve" } })}>Confirm</Button>
                      <Button size="sm" variant="secondary" onClick={() => update.mutate({ id: u.id, patch: { requestedRole: "decline" } })}>Decline</Button>
                    </div>
                  )}
                </Td>
                <Td>
                  <div className="flex flex-col items-start gap-1">
                    {u.disabled ? <Badge tone="danger">disabled</Badge> : <Badge tone="ok">active</Badge>}
                    <Badge tone={u.emailConfirmed ? "ok" : "neutral"}>{PROOF[u.emailProof ?? "none"]}</Badge>
                    {u.failedSignIns > 0 && <Badge tone="warn">{u.failedSignIns} failed sign-in{u.failedSignIns === 1 ? "" : "s"} lately</Badge>}
                  </div>
                </Td>
                <Td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : "never"}</Td>
                <Td>
                  <div className="flex flex-wrap gap-2">
                    {u.failedSignIns > 0 && (
                      <Button size="sm" variant="secondary" onClick={() => unlock.mutate(u)} disabled={unlock.isPending} aria-label={`Unlock sign-in for ${u.email}`}>
                        Unlock sign-in
                      </Button>
                    )}
                    {u.id !== selfId && (
                      <Button size="sm" variant={u.disabled ? "secondary" : "danger"} onClick={() => update.mutate({ id: u.id, patch: { disabled: !u.disabled } })}>
                        {u.disabled ? `Enable ${u.email}` : `Disable ${u.email}`}
                      </Button>
                    )}
                  </div>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
