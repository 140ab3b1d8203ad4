"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

/** Makes a worker token (scope `worker` only) and shows the one command that attaches a machine with it. */
export function AttachWorker() {
  const [name, setName] = useState("gpu-node");
  const create = useMutation({
    mutationFn: () => apiFetch<{ secret: string }>("/tokens", { method: "POST", body: { name: `worker: ${name}`, scopes: ["worker"] } }),
  });
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const command = create.data ? `npx hounsfield agent --server ${origin} --token ${create.data.secret} --name ${name}` : "";
  return (
    <section aria-labelledby="attach-heading" className="flex flex-col gap-3 rounded border border-border p-4">
      <h2 id="attach-heading" className="font-medium">Attach a machine</h2>
      <p className="text-sm text-muted-fg">
        On the GPU machine, in a checkout of Hounsfield (Node 20, Python 3 with PyTorch), run the command below. The token is shown once; it
        can only register this worker and report on the runs it is given.
      </p>
      <form className="flex items-end gap-2" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <Input label="Worker name" value={name} onChange={(e) => setName(e.target.value.replace(/[^\w.-]/g, ""))} maxLength={60} required />
        <Button type="submit" disabled={create.isPending || !name}>Create worker token</Button>
      </form>
      {create.error && <p role="alert" className="text-sm text-danger">{(create.error as Error).message}</p>}
      {command && (
        <div className="flex flex-col gap-2">
          <label htmlFor="agent-command" className="text-sm">Agent command (copy it now: the token is not shown again)</label>
          <textarea id="agent-command" readOnly value={command} rows={2} className="w-full rounded border border-border bg-muted p-2 font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
          <Button variant="secondary" size="sm" className="self-start" onClick={() => navigator.clipboard?.writeText(command)}>Copy command</Button>
        </div>
      )}
    </section>
  );
}
