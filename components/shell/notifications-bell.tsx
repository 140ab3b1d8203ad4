"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";

type Note = { id: string; kind: string; text: string; link: string; read: boolean; createdAt: string };

/** Unread notifications (requests to review, decisions on yours), checked every 30 s. */
export function NotificationsBell() {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const q = useQuery({ queryKey: ["notifications"], queryFn: () => apiFetch<{ notifications: Note[]; unread: number }>("/notifications"), refetchInterval: 30_000 });
  const read = useMutation({ mutationFn: () => apiFetch("/notifications/read", { method: "POST" }), onSuccess: () => client.invalidateQueries({ queryKey: ["notifications"] }) });
  const unread = q.data?.unread ?? 0;
  return (
    <div className="relative">
      <button type="button" className="w-full rounded px-3 py-1.5 text-left text-sm hover:bg-muted" aria-expanded={open} onClick={() => { setOpen(!open); if (!open && unread) read.mutate(); }}>
        Notifications{unread > 0 && <span className="ml-2 rounded-full bg-accent px-1.5 text-xs text-white" aria-label={`${unread} unread`}>{unread}</span>}
      </button>
      {open && (
        <ul className="absolute left-0 top-full z-10 mt-1 max-h-80 w-72 max-w-[calc(100vw-2rem)] overflow-auto md:bottom-full md:top-auto md:mb-1 md:mt-0 rounded border border-border bg-card p-2 text-sm shadow" aria-label="Notifications">
          {(q.data?.notifications ?? []).length === 0 && <li className="text-muted-fg">Nothing yet.</li>}
          {(q.data?.notifications ?? []).map((n) => (
            <li key={n.id} className="border-b border-border py-1 last:border-0">
              <Link className={n.read ? "" : "font-medium"} href={n.link || "#"} onClick={() => setOpen(false)}>{n.text}</Link>
              <div className="text-xs text-muted-fg">{new Date(n.createdAt).toLocaleString()}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
