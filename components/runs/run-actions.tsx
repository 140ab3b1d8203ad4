"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { useToast } from "../ui/toast";
import { isActive, type Run } from "./run-types";

type Action = "cancel" | "archive" | "unarchive" | "delete";

const CONFIRM: Record<"cancel" | "delete", { title: string; body: (name: string) => string; verb: string }> = {
  cancel: {
    title: "Cancel this run?",
    body: (name) => `${name} is told to stop. Metrics, logs and checkpoints written so far are kept.`,
    verb: "Cancel run",
  },
  delete: {
    title: "Delete this run?",
    body: (name) => `${name} is deleted together with its metrics and logs. This cannot be undone.`,
    verb: "Delete run",
  },
};

export function RunActions({ run }: { run: Pick<Run, "id" | "name" | "status" | "archived"> }) {
  const client = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const [confirm, setConfirm] = useState<"cancel" | "delete" | null>(null);
  const act = useMutation({
    mutationFn: (a: Action) =>
      a === "delete" ? apiFetch<unknown>(`/runs/${run.id}`, { method: "DELETE" }) : apiFetch<unknown>(`/runs/${run.id}/${a}`, { method: "POST" }),
    onSuccess: (_res, a) => {
      setConfirm(null);
      client.invalidateQueries({ queryKey: ["runs"] });
      if (a === "delete") {
        client.removeQueries({ queryKey: ["run", run.id] });
        toast({ tone: "ok", title: `Deleted ${run.name}` });
        router.push("/runs");
        return;
      }
      client.invalidateQueries({ queryKey: ["run", run.id] });
      toast({ tone: "ok", title: a === "cancel" ? `Cancelling ${run.name}` : a === "archive" ? `Archived ${run.name}` : `Restored ${run.name}` });
    },
    onError: (e) => toast({ tone: "error", title: "That did not work", description: e.message }),
  });
  const dialog = confirm ? CONFIRM[confirm] : null;
  return (
    <div className="flex flex-wrap gap-2">
      {isActive(run.status) && (
        <Button variant="secondary" size="sm" onClick={() => setConfirm("cancel")} disabled={act.isPending}>
          Cancel run
        </Button>
      )}
      {!run.archived && !isActive(run.status) && (
        <Button variant="secondary" size="sm" onClick={() => act.mutate("archive")} disabled={act.isPending}>
          Archive
        </Button>
      )}
      {run.archived && (
        <Button variant="secondary" size="sm" onClick={() => act.mutate("unarchive")} disabled={act.isPending}>
          Unarchive
        </Button>
      )}
      {!isActive(run.status) && (
        <Button variant="ghost" size="sm" className="text-danger" onClick={() => setConfirm("delete")} disabled={act.isPending}>
          Delete
        </Button>
      )}
      <Dialog open={dialog !== null} onOpenChange={(o) => !o && setConfirm(null)} title={dialog?.title ?? ""} description={dialog?.body(run.name)}>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirm(null)}>
            Keep it
          </Button>
          <Button variant="danger" onClick={() => confirm && act.mutate(confirm)} disabled={act.isPending} aria-busy={act.isPending || undefined}>
            {act.isPending ? "Working…" : dialog?.verb}
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
