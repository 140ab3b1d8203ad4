"use client";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { SignInLinkForm } from "./sign-in-link-form";

export function LoginForm({ ssoName, mailLinks, initialError, notice }: { ssoName: string | null; mailLinks: boolean; initialError: string | null; notice: string | null }) {
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    setBusy(false);
    if (res?.ok && !res.error) window.location.assign("/");
    else setError(res?.error === "CredentialsSignin" ? "Wrong email or password." : (res?.error ?? "Sign-in failed."));
  }
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-lg font-semibold">Sign in</h1>
      {notice && <p role="status" className="text-sm text-ok">{notice}</p>}
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <Input label="Email" name="email" type="email" autoComplete="username" required />
        <Input label="Password" name="password" type="password" autoComplete="current-password" required />
        {error && <p role="alert" data-testid="login-error" className="text-sm text-danger">{error}</p>}
        <Button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</Button>
      </form>
      {ssoName && (
        <Button variant="secondary" onClick={() => signIn("oidc", { callbackUrl: "/" })}>
          Sign in with {ssoName}
        </Button>
      )}
      {mailLinks && <SignInLinkForm />}
      <p className="text-sm text-muted-fg">
        No account? <Link href="/register" className="underline">Register</Link>
      </p>
    </div>
  );
}
