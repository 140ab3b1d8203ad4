"use client";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Button } from "../ui/button";

/** The secret travels after `#` (never to the server until posted), read here once the page is in the browser. */
export function useLinkToken() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    setToken(new URLSearchParams(window.location.hash.slice(1)).get("token"));
  }, []);
  return token;
}

/** The page an emailed sign-in link opens. It signs in only on a click: mail scanners that open links don't. */
export function LinkSignIn() {
  const token = useLinkToken();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function go() {
    if (!token) return;
    setBusy(true);
    const res = await signIn("email-link", { token, redirect: false });
    setBusy(false);
    if (res?.ok && !res.error) window.location.assign("/");
    else setError(res?.error && res.error !== "CredentialsSignin" ? res.error : "This sign-in link is not valid any more: ask for a new one.");
  }
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-lg font-semibold">Sign in with your link</h1>
      {token === null ? (
        <p role="alert" className="text-sm text-danger">This page needs the link from your email, in full. Open it from the email again.</p>
      ) : (
        <>
          <p className="text-sm">The link works once. Continue to sign in on this device.</p>
          <Button onClick={go} disabled={!token || busy}>{busy ? "Signing in…" : "Sign in"}</Button>
        </>
      )}
      {error && <p role="alert" className="text-sm text-danger">{error}</p>}
      <p className="text-sm text-muted-fg">
        <Link href="/login" className="underline">Back to sign-in</Link>
      </p>
    </div>
  );
}
