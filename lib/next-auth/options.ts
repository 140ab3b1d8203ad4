// next-auth v4 glue: password sign-in and optional OIDC (institutional SSO), JWT cookies that name a
// UserSession row. Role, the disabled flag and whether the session was revoked are read from the database on
// every request (lib/auth/resolve-actor.ts). Lives outside lib/auth so that auth never depends on services.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import type { TokenSet } from "openid-client";
import { SESSION_MAX_MS } from "../auth/resolve-actor";
import { env, oidcConfig } from "../env";
import { DomainError } from "../errors";
import { clientIp } from "../http/client-ip";
import { endSession } from "../services/sessions/revoke-sessions";
import { signInWithOidc } from "../services/sessions/sign-in-oidc";
import { signInWithPassword, SignInError } from "../services/sessions/sign-in";
import { signInWithLink } from "../services/sessions/sign-in-link";

type OidcProfile = { sub: string; email?: string; email_verified?: boolean; name?: string; preferred_username?: string };

function headersOf(req: { headers?: Record<string, unknown> } | undefined) {
  const h = new Headers();
  for (const [k, v] of Object.entries(req?.headers ?? {})) if (typeof v === "string") h.set(k, v);
  return h;
}

function oidcProvider(): OAuthConfig<OidcProfile>[] {
  const c = oidcConfig();
  if (!c) return [];
  return [
    {
      id: "oidc",
      name: c.name,
      type: "oauth",
      wellKnown: `${c.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      // Many issuers put only `sub` in the ID token: fill the rest from userinfo (openid-client checks that
      // both name the same subject), the verified ID token winning where both speak.
      userinfo: {
        async request({ client, tokens }) {
          const set = tokens as unknown as TokenSet;
          const fromIdToken = set.claims();
          const fromUserinfo = await client.userinfo(set);
          return { ...fromUserinfo, ...fromIdToken };
        },
      },
      profile: (p) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.preferred_username ?? p.email ?? p.sub }),
    },
  ];
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_MS / 1000 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { type: "email" }, password: { type: "password" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) throw new Error("Enter your email and password.");
          const headers = headersOf(req);
          try {
            const { user, sessionId } = await signInWithPassword(credentials.email, credentials.password, clientIp(headers), headers.get("user-agent"));
            return { id: user.id, email: user.email, name: user.name, sid: sessionId };
          } catch (err) {
            // The message travels in a URL and onto the page: only our own sentences, never a driver's.
            if (err instanceof SignInError || err instanceof DomainError) throw new Error(err.message);
            console.error("sign-in failed", err);
            throw new Error("Sign-in failed on the server. Try again in a moment.");
          }
        },
      }),
      // The one-time link mailed by POST /api/v1/sign-in-links; its page posts the secret here.
      CredentialsProvider({
        id: "email-link",
        name: "Email link",
        credentials: { token: { type: "text" } },
        async authorize(credentials, req) {
          if (!credentials?.token) throw new Error("This sign-in link is incomplete: open the link from the email again.");
          const headers = headersOf(req);
          try {
            const { user, sessionId } = await signInWithLink(credentials.token, clientIp(headers), headers.get("user-agent"));
            return { id: user.id, email: user.email, name: user.name, sid: sessionId };
          } catch (err) {
            if (err instanceof SignInError || err instanceof DomainError) throw new Error(err.message);
            console.error("sign-in by link failed", err);
            throw new Error("Sign-in failed on the server. Try again in a moment.");
          }
        },
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        const issuer = oidcConfig()!.issuer;
        const p = profile as OidcProfile | undefined;
        const signedIn = await signInWithOidc(issuer, {
          subject: account.providerAccountId,
          email: p?.email,
          emailVerified: p?.email_verified === true,
          name: p?.name ?? p?.preferred_username,
        });
        if (!signedIn) return "/login?error=SsoRefused";
        // next-auth hands the same account object to the jwt callback; carry our ids there.
        account.hounsfieldUserId = signedIn.user.id;
        account.hounsfieldSessionId = signedIn.sessionId;
        return true;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === "oidc") {
          token.uid = account.hounsfieldUserId as string;
          token.sid = account.hounsfieldSessionId as string;
        } else if (user) {
          token.uid = user.id;
          token.sid = (user as { sid?: string }).sid;
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, uid: token.uid };
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string" && typeof token.uid === "string") await endSession(token.sid, token.uid);
      },
    },
  };
}
