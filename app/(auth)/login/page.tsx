import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { pageActor } from "@/lib/auth/page-session";
import { oidcConfig, smtpConfig } from "@/lib/env";

export const metadata = { title: "Sign in" };

const MESSAGES: Record<string, string> = {
  SsoRefused: "Single sign-on could not sign you in: the account is disabled, or its email is not verified by your identity provider.",
  OAuthSignin: "Single sign-on is unreachable right now.",
  OAuthCallback: "Single sign-on failed. Try again.",
  SessionRequired: "Sign in to continue.",
};
// Anything else in ?error= is someone's text in a link: show a sentence of ours instead.
const UNKNOWN = "Sign-in failed. Try again.";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; registered?: string }> }) {
  if ((await pageActor()).kind === "user") redirect("/");
  const sp = await searchParams;
  const sso = oidcConfig();
  return (
    <LoginForm
      ssoName={sso?.name ?? null}
      mailLinks={!!smtpConfig()}
      initialError={sp.error ? (Object.hasOwn(MESSAGES, sp.error) ? MESSAGES[sp.error] : UNKNOWN) : null}
      notice={sp.registered ? "If that email had no account, it has one now. Sign in below." : null}
    />
  );
}
