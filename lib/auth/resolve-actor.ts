// Who is calling: an API token (Authorization: Bearer) or a next-auth session cookie.
// The user row is read on every request, so disabling a user takes effect on their next request.
import { decode } from "next-auth/jwt";
import { db } from "../db/client";
import { env, publicUrl } from "../env";
import { hashSecret } from "./secret-token";
import { UnauthenticatedError, type Actor, type Scope } from "./policy";

const LAST_USED_RESOLUTION_MS = 60_000;

export function sessionCookieName() {
  return publicUrl().startsWith("https://") ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

function readCookies(header: string | null) {
  const jar = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const raw = part.slice(i + 1).trim();
    try {
      jar.set(part.slice(0, i).trim(), decodeURIComponent(raw));
    } catch {
      jar.set(part.slice(0, i).trim(), raw); // a malformed cookie is just not a session
    }
  }
  return jar;
}

/** next-auth splits large session cookies into name.0, name.1, …; join them back. */
function sessionJwt(cookieHeader: string | null) {
  const jar = readCookies(cookieHeader);
  const name = sessionCookieName();
  if (jar.has(name)) return jar.get(name);
  const chunks = [...jar.keys()].filter((k) => k.startsWith(`${name}.`)).sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
  return chunks.length ? chunks.map((k) => jar.get(k)).join("") : undefined;
}

async function fromToken(secret: string): Promise<Actor> {
  const token = await db.apiToken.findUnique({ where: { hash: hashSecret(secret) }, include: { user: true } });
  const now = new Date();
  if (!token) throw new UnauthenticatedError("The API token is not valid");
  if (token.revokedAt) throw new UnauthenticatedError("The API token was revoked");
  if (token.expiresAt && token.expiresAt <= now) throw new UnauthenticatedError("The API token has expired");
  if (token.user.disabled) throw new UnauthenticatedError("This account is disabled");
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return {
    kind: "user",
    id: token.user.id,
    email: token.user.email,
    role: token.user.role,
    token: { id: token.id, scopes: token.scopes as Scope[], expiresAt: token.expiresAt },
  };
}

export async function userIdFromSessionJwt(jwt: string | undefined) {
  if (!jwt) return null;
  const secret = env().NEXTAUTH_SECRET;
  if (!secret) return null;
  const payload = await decode({ token: jwt, secret }).catch(() => null);
  return typeof payload?.uid === "string" ? payload.uid : null;
}

export async function actorForUserId(id: string | null): Promise<Actor> {
  if (!id) return { kind: "anonymous" };
  const user = await db.user.findUnique({ where: { id } });
  if (!user || user.disabled) return { kind: "anonymous" };
  return { kind: "user", id: user.id, email: user.email, role: user.role };
}

export async function resolveActor(headers: Headers): Promise<Actor> {
  const auth = headers.get("authorization");
  if (auth) {
    const [scheme, secret] = auth.split(" ");
    if (scheme !== "Bearer" || !secret) throw new UnauthenticatedError("Use `Authorization: Bearer <token>`");
    return fromToken(secret.trim());
  }
  return actorForUserId(await userIdFromSessionJwt(sessionJwt(headers.get("cookie"))));
}

export { sessionJwt };
