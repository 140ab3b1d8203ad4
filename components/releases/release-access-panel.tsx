"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { DownloadButton } from "./download-button";

type Release = {
  id: string; policy: "OPEN" | "GATED" | "PRIVATE"; status: string; terms: string; termsVersion: string;
  access: { canDownload: boolean; grant: string; request: string; termsAccepted: boolean };
  requestFields: { name: string; label: string; required: boolean }[];
  files: { path: string; kind: string; bytes: number; sha256: string }[];
};

/** The one thing the caller can do about access: download, accept new terms, request access, or wait. */
export function ReleaseAccessPanel({ release: r, signedIn = true }: { release: Release; signedIn?: boolean }) {
  const router = useRouter();
  const [form, setForm] = useState({ institution: "", role: "", intendedUse: "", acceptTerms: false, answers: {} as Record<string, string> });
  const accept = useMutation({ mutationFn: () => apiFetch(`/releases/${r.id}/terms`, { method: "POST", body: { termsVersion: r.termsVersion } }), onSuccess: () => router.refresh() });
  const request = useMutation({
    mutationFn: () => apiFetch(`/releases/${r.id}/requests`, { method: "POST", body: { ...form, termsVersion: r.termsVersion, acceptTerms: form.acceptTerms || undefined } }),
    onSuccess: () => router.refresh(),
  });
  const fields = request.error instanceof ApiProblem ? request.error.fields : {};
  const a = r.access;
  const weights = r.files.find((f) => f.kind === "weights");
  const needsTerms = !a.termsAccepted && (r.policy === "OPEN" || a.grant === "active");
  return (
    <section aria-labelledby="access-heading" className="flex flex-col gap-2 rounded border border-border p-4">
      <h2 id="access-heading" className="font-semibold">Your access</h2>
      {!signedIn ? (
        <p className="text-sm">
          <a className="font-medium underline" href="/login">Sign in</a> to {r.policy === "GATED" ? "request access to this release" : "download this release"}.
        </p>
      ) : a.canDownload ? (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="text-ok">You can download this release.</span>
          {weights && <DownloadButton releaseId={r.id} file={weights} label="Download the weights" />}
        </div>
      ) : needsTerms ? (
        <div className="flex flex-col gap-2 text-sm">
          <p>Accept the terms (version {r.termsVersion}) to download:</p>
          <pre className="whitespace-pre-wrap rounded bg-muted p-2">{r.terms}</pre>
          <Button className="self-start" onClick={() => accept.mutate()} disabled={accept.isPending}>I accept these terms</Button>
        </div>
      ) : a.request === "PENDING" ? (
        <p className="text-sm">Your request is waiting for an administrator. You will be notified of the decision.</p>
      ) : r.policy === "GATED" && r.status === "PUBLISHED" ? (
        <form className="grid gap-3 md:grid-cols-2" onSubmit={(e) => { e.preventDefault(); request.mutate(); }}>
          <p className="text-sm md:col-span-2">{a.request === "DENIED" ? "Your earlier request was denied; you may apply again." : a.grant === "expired" || a.grant === "revoked" ? `Your access ${a.grant === "expired" ? "expired" : "was revoked"}; you may apply again.` : "This release is shared on request."}</p>
          <Input label="Institution" value={form.institution} onChange={(e) => setForm({ ...form, institution: e.target.value })} required error={fields.institution} />
          <Input label="Your role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} required error={fields.role} />
          <div className="md:col-span-2">
            <Input label="Intended use" value={form.intendedUse} onChange={(e) => setForm({ ...form, intendedUse: e.target.value })} required minLength={10} error={fields.intendedUse} />
          </div>
          {r.requestFields.map((f) => (
            <Input key={f.name} label={f.label} required={f.required} value={form.answers[f.name] ?? ""} onChange={(e) => setForm({ ...form, answers: { ...form.answers, [f.name]: e.target.value } })} error={fields[`answers.${f.name}`]} />
          ))}
          {r.terms && <pre className="whitespace-pre-wrap rounded bg-muted p-2 text-sm md:col-span-2">{r.terms}</pre>}
          <label className="flex items-center gap-2 text-sm md:col-span-2">
            <input type="checkbox" checked={form.acceptTerms} onChange={(e) => setForm({ ...form, acceptTerms: e.target.checked })} /> I accept the terms of this release (version {r.termsVersion})
          </label>
          {fields.acceptTerms && <p className="text-sm text-danger md:col-span-2">{fields.acceptTerms}</p>}
          <Button type="submit" className="self-start" disabled={request.isPending}>Request access</Button>
          {request.error && !Object.keys(fields).length && <p role="alert" className="text-sm text-danger md:col-span-2">{(request.error as Error).message}</p>}
        </form>
      ) : (
        <p className="text-sm text-muted-fg">{r.status !== "PUBLISHED" ? "This release is a draft." : "This release is shared with named people only."}</p>
      )}
    </section>
  );
}
