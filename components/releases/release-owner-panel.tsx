"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { AutoApproveRules } from "./auto-approve-rules";
import { ModelCardView } from "./model-card-view";

type Release = { id: string; status: string; policy: string; card: string; license: string; autoApprove: { roles: string[]; domains: string[] } | null };

/** The maker's tools: edit the card (with a live preview) and publish a draft; name people on the release; the rules
 * that approve requests to a GATED one at once. */
export function ReleaseOwnerPanel({ release: r, mailConfigured }: { release: Release; mailConfigured: boolean }) {
  const router = useRouter();
  const [card, setCard] = useState(r.card);
  const [email, setEmail] = useState("");
  const [override, setOverride] = useState("");
  const save = useMutation({ mutationFn: () => apiFetch(`/releases/${r.id}`, { method: "PATCH", body: { card } }), onSuccess: () => router.refresh() });
  const publish = useMutation({ mutationFn: () => apiFetch(`/releases/${r.id}/publish`, { method: "POST", body: override ? { licenseOverride: override } : {} }), onSuccess: () => router.refresh() });
  const grant = useMutation({ mutationFn: () => apiFetch(`/releases/${r.id}/grants`, { method: "POST", body: { email } }), onSuccess: () => setEmail("") });
  const draft = r.status === "DRAFT";
  return (
    <section aria-labelledby="owner-heading" className="flex flex-col gap-3 rounded border border-border p-4">
      <h2 id="owner-heading" className="font-semibold">Manage this release</h2>
      {draft && (
        <div className="grid gap-3 lg:grid-cols-2">
          <label className="flex flex-col gap-1 text-sm">
            <span className="font-medium">Model card (Markdown)</span>
            <textarea className="h-80 rounded border border-border bg-card p-2 font-mono text-xs" value={card} onChange={(e) => setCard(e.target.value)} />
          </label>
          <div className="flex flex-col gap-1 text-sm">
            <span className="font-medium">Preview</span>
            <div className="h-80 overflow-auto rounded border border-border p-2">
              <ModelCardView card={card} label="Model card preview" />
            </div>
          </div>
          <div className="flex flex-wrap items-end gap-2 lg:col-span-2">
            <Button variant="secondary" onClick={() => save.mutate()} disabled={save.isPending || card === r.card}>Save card</Button>
            <Input label="License override (admins, with the reason)" value={override} onChange={(e) => setOverride(e.target.value)} />
            <Button onClick={() => publish.mutate()} disabled={publish.isPending}>Publish {r.license}</Button>
          </div>
          {(publish.error || save.error) && <p role="alert" className="text-sm text-danger lg:col-span-2">{((publish.error ?? save.error) as Error).message}</p>}
        </div>
      )}
      <form className="flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); grant.mutate(); }}>
        <Input label="Give access to (email)" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={grant.error instanceof ApiProblem ? grant.error.fields.email : undefined} />
        <Button type="submit" variant="secondary" disabled={grant.isPending || !email}>Give access</Button>
        {grant.isSuccess && <span role="status" className="text-sm text-ok">Access given.</span>}
      </form>
      {r.policy === "GATED" && r.autoApprove && <AutoApproveRules releaseId={r.id} rules={r.autoApprove} mailConfigured={mailConfigured} />}
    </section>
  );
}
