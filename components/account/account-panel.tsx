"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import type { EmailProof } from "@/lib/schemas/user";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";

type Me = { email: string; emailProof: EmailProof | null; emailConfirmed: boolean; mail: { configured: boolean; accessDecisions: boolean; runFailures: boolean } };

const PROOF: Record<EmailProof | "none", string> = {
  SSO: "Confirmed through single sign-on",
  LINK: "Confirmed by an emailed link",
  ASSIGNED: "Not confirmed (entered by an administrator)",
  none: "Not confirmed",
};

/** Your address and whether it is confirmed, a new confirmation link, and which notifications also come by email. */
export function AccountPanel({ me, canWrite }: { me: Me; canWrite: boolean }) {
  const [prefs, setPrefs] = useState({ mailAccessDecisions: me.mail.accessDecisions, mailRunFailures: me.mail.runFailures });
  const confirm = useMutation({ mutationFn: () => apiFetch<{ message: string }>("/me/email-confirmation", { method: "POST" }) });
  const save = useMutation({ mutationFn: () => apiFetch("/me", { method: "PATCH", body: prefs }) });
  const mailOff = !me.mail.configured;
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <section aria-labelledby="address-heading" className="flex flex-col gap-3 rounded border border-border p-4">
        <h2 id="address-heading" className="font-semibold">Email address</h2>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <span className="break-all font-medium">{me.email}</span>
          <Badge tone={me.emailConfirmed ? "ok" : "warn"}>{PROOF[me.emailProof ?? "none"]}</Badge>
        </p>
        <p className="text-sm text-muted-fg">
          A confirmed address is what a release&apos;s email-domain rule trusts to approve your access requests at once; unconfirmed, they wait for an administrator.
        </p>
        {!me.emailConfirmed &&
          (mailOff ? (
            <p className="text-sm">This server sends no email, so an address is confirmed only by signing in through single sign-on.</p>
          ) : (
            <div className="flex flex-wrap items-center gap-3">
              <Button variant="secondary" onClick={() => confirm.mutate()} disabled={!canWrite || confirm.isPending}>Email me a confirmation link</Button>
              {confirm.isSuccess && <span role="status" className="text-sm text-ok">{confirm.data.message}</span>}
              {confirm.error && <span role="alert" className="text-sm text-danger">{(confirm.error as Error).message}</span>}
            </div>
          ))}
      </section>
      <section aria-labelledby="mail-heading" className="flex flex-col gap-3 rounded border border-border p-4">
        <h2 id="mail-heading" className="font-semibold">Email notifications</h2>
        <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
          <fieldset className="flex flex-col gap-2 text-sm" disabled={mailOff || !canWrite} aria-describedby="mail-note">
            <legend className="sr-only">Also send me an email about</legend>
            <label className="flex items-start gap-2">
              <input type="checkbox" className="mt-1" checked={prefs.mailAccessDecisions} onChange={(e) => setPrefs({ ...prefs, mailAccessDecisions: e.target.checked })} />
              Decisions on my access to releases (approved, denied, revoked)
            </label>
            <label className="flex items-start gap-2">
              <input type="checkbox" className="mt-1" checked={prefs.mailRunFailures} onChange={(e) => setPrefs({ ...prefs, mailRunFailures: e.target.checked })} />
              My runs that fail or are lost
            </label>
          </fieldset>
          <p id="mail-note" className="text-xs text-muted-fg">
            {mailOff ? "This server sends no email (SMTP is not configured)." : me.emailConfirmed ? `Sent to ${me.email}.` : "Sent only once your address is confirmed."}
          </p>
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={mailOff || !canWrite || save.isPending}>Save email settings</Button>
            {save.isSuccess && <span role="status" className="text-sm text-ok">Saved.</span>}
            {save.error && <span role="alert" className="text-sm text-danger">{(save.error as Error).message}</span>}
          </div>
        </form>
      </section>
    </div>
  );
}
