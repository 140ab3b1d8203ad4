"use client";
import Link from "next/link";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { useLinkToken } from "./link-sign-in";

/** The page an emailed confirmation link opens: confirming takes a click, so a mail scanner opening the link
 * confirms nothing. */
export function ConfirmEmailForm() {
  const token = useLinkToken();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const r = await apiFetch<{ email: string }>("/email-confirmations", { method: "POST", body: { token } });
      setDone(r.email);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-lg font-semibold">Confirm your email address</h1>
      {done ? (
        <p role="status" className="text-sm text-ok">
          <span className="break-all">{done}</span> is confirmed.
        </p>
      ) : token === null ? (
        <p role="alert" className="text-sm text-danger">This page needs the link from your email, in full. Open it from the email again.</p>
      ) : (
        <>
          <p className="text-sm">Confirm only if you asked for this: it tells Hounsfield that you read this mailbox.</p>
          <Button onClick={confirm} disabled={!token || busy}>{busy ? "Confirming…" : "Confirm my address"}</Button>
        </>
      )}
      {error && <p role="alert" className="text-sm text-danger">{error}</p>}
      <p className="text-sm text-muted-fg">
        <Link href="/" className="underline">Go to Hounsfield</Link>
      </p>
    </div>
  );
}
