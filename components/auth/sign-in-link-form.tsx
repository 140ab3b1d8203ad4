"use client";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

/** Asks for a one-time sign-in link by email: the way in when a password lockout keeps you out. */
export function SignInLinkForm() {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<{ field?: string; form?: string }>({});
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError({});
    try {
      const r = await apiFetch<{ message: string }>("/sign-in-links", { method: "POST", body: { email: String(new FormData(e.currentTarget).get("email")) } });
      setSent(r.message);
    } catch (err) {
      setError(err instanceof ApiProblem ? { field: err.fields.email, form: err.fields.email ? undefined : err.message } : { form: String(err) });
    } finally {
      setBusy(false);
    }
  }
  if (!open) {
    return (
      <Button variant="ghost" onClick={() => setOpen(true)} aria-expanded={false}>
        Email me a sign-in link
      </Button>
    );
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3 rounded-md border border-border p-3" noValidate aria-labelledby="link-heading">
      <h2 id="link-heading" className="text-sm font-semibold">Sign in with a link sent by email</h2>
      <Input label="Your account's email" name="email" type="email" autoComplete="username" required error={error.field} autoFocus />
      {sent && <p role="status" className="text-sm text-ok">{sent}</p>}
      {error.form && <p role="alert" className="text-sm text-danger">{error.form}</p>}
      <Button type="submit" variant="secondary" disabled={busy}>{busy ? "Sending…" : "Send the link"}</Button>
    </form>
  );
}
