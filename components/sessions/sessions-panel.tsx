"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api/client-fetch";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Table, Td, Th } from "../ui/table";
import { useToast } from "../ui/toast";

type Session = { id: string; method: string; ip: string | null; userAgent: string | null; createdAt: string; lastSeenAt: string; current: boolean };

export function SessionsPanel() {
  const client = useQueryClient();
  const toast = useToast();
  const sessions = useQuery({ queryKey: ["sessions"], queryFn: () => apiFetch<{ sessions: Session[] }>("/sessions") });
  const revoke = useMutation({
    mutationFn: (s: Session) => apiFetch(`/sessions/${s.id}`, { method: "DELETE" }),
    onSuccess: (_r, s) => {
      if (s.current) return window.location.assign("/login");
      toast({ tone: "ok", title: "Session signed out" });
      client.invalidateQueries({ queryKey: ["sessions"] });
    },
  });
  const everywhere = useMutation({
    mutationFn: () => apiFetch("/sessions", { method: "DELETE" }),
    onSuccess: () => window.location.assign("/login"),
  });
  const rows = sessions.data?.sessions ?? [];
  return (
    <div className="flex flex-col gap-4">
      {sessions.isLoading && <p role="status">Loading sessions…</p>}
      {rows.length > 0 && (
        <Table caption="Your signed-in sessions">
          <thead>
            <tr>
              <Th>Signed in</Th>
              <Th>How</Th>
              <Th>From</Th>
              <Th>Browser</Th>
              <Th>Last seen</Th>
              <Th><span className="sr-only">Actions</span></Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id} data-testid="session-row">
                <Td>{new Date(s.createdAt).toLocaleString()} {s.current && <Badge tone="ok">this session</Badge>}</Td>
                <Td>{s.method}</Td>
                <Td>{s.ip ?? "unknown"}</Td>
                <Td className="max-w-xs truncate" title={s.userAgent ?? ""}>{s.userAgent ?? "unknown"}</Td>
                <Td>{new Date(s.lastSeenAt).toLocaleString()}</Td>
                <Td>
                  <Button size="sm" variant="secondary" onClick={() => revoke.mutate(s)} aria-label={`Sign out the session from ${s.ip ?? "unknown"} started ${new Date(s.createdAt).toLocaleString()}`}>
                    Sign out
                  </Button>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Button variant="danger" className="self-start" onClick={() => everywhere.mutate()} disabled={everywhere.isPending}>
        Sign out everywhere
      </Button>
    </div>
  );
}
