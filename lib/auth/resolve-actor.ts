// Who is calling: an API token (Authorization: Bearer) or a next-auth session cookie naming a UserSession row.
// Each path is one indexed query that also reads the user, so a disabled user, a revoked token (or an ancestor
// of it: revocation runs down the lineage) or a revoked session stops working on its next request.
import "server-only";
import { decode } from "next-auth/jwt";
import { pool } from "../db/client";
import { env, publicUrl } from "../env";
import { UnauthenticatedError, type Actor, type Scope } from "./policy";
import { hashSecret } from "./secret-token";

const TOUCH_EVERY_MS = 60_000;
/** A session ends after this long without a request, and at the latest SESSION_MAX_MS after sign-in. */
export const SESSION_IDLE_MS = 7 * 24 * 3_600_000;
export const SESSION_MAX_MS = 30 * 24 * 3_600_000;

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
export function sessionJwt(cookieHeader: string | null) {
  const jar = readCookies(cookieHeader);
  const name = sessionCookieName();
  if (jar.has(name)) return jar.get(name);
  const chunks = [...jar.keys()].filter((k) => k.startsWith(`${name}.`)).sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
  return chunks.length ? chunks.map((k) => jar.get(k)).join("") : undefined;
}

type TokenRow = { id: string; scopes: Scope[]; expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null; userId: string; email: string; role: "ADMIN" | "RESEARCHER" | "CLINICIAN"; disabled: boolean; workerId: string | null };

/** A token whose only scope is `worker` belongs to an agent, not a person: it resolves to a worker actor. */
export const isWorkerToken = (scopes: readonly string[]) => scopes.length === 1 && scopes[0] === "worker";

async function fromToken(secret: string): Promise<Actor> {
  // Old-style or garbage secrets never reach the database with characters it can't store.
  if (secret.length > 200 || /[^\x21-\x7e]/.test(secret)) throw new UnauthenticatedError("The API token is not valid");
  const { rows } = await pool().query<TokenRow>({
    name: "token-actor",
    text: `SELECT t.id, t.scopes, t."expiresAt", t."revokedAt", t."lastUsedAt", u.id AS "userId", u.email, u.role, u.disabled, w.id AS "workerId"
     FROM "ApiToken" t JOIN "User" u ON u.id = t."userId"
     LEFT JOIN "Worker" w ON w."tokenId" = t.id AND w."removedAt" IS NULL WHERE t.hash = $1`,
    values: [hashSecret(secret)],
  });
  const token = rows[0];
  const now = new Date();
  if (!token) throw new UnauthenticatedError("The API token is not valid");
  if (token.revokedAt) throw new UnauthenticatedError("The API token was revoked");
  if (token.expiresAt && token.expiresAt <= now) throw new UnauthenticatedError("The API token has expired");
  if (token.disabled) throw new UnauthenticatedError("This account is disabled");
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await pool().query(`UPDATE "ApiToken" SET "lastUsedAt" = $2 WHERE id = $1`, [token.id, now]);
  }
  if (isWorkerToken(token.scopes)) return { kind: "worker", tokenId: token.id, userId: token.userId, email: token.email, role: token.role, workerId: token.workerId };
  return { kind: "user", id: token.userId, email: token.email, role: token.role, token: { id: token.id, scopes: token.scopes, expiresAt: token.expiresAt } };
}

export type SessionClaims = { uid: string; sid: string };

export async function sessionClaims(jwt: string | undefined): Promise<SessionClaims | null> {
  if (!jwt) return null;
  const secret = env().NEXTAUTH_SECRET;
  if (!secret) return null;
  const payload = await decode({ token: jwt, secret }).catch(() => null);
  return typeof payload?.uid === "string" && typeof payload.sid === "string" ? { uid: payload.uid, sid: payload.sid } : null;
}

type SessionRow = { email: string; role: "ADMIN" | "RESEARCHER" | "CLINICIAN"; disabled: boolean; createdAt: Date; lastSeenAt: Date; expiresAt: Date; revokedAt: Date | null };

export async function actorForSession(claims: SessionClaims | null): Promise<Actor> {
  if (!claims || claims.sid.length > 64) return { kind: "anonymous" };
  const { rows } = await pool().query<SessionRow>(
    `SELECT u.email, u.role, u.disabled, s."createdAt", s."lastSeenAt", s."expiresAt", s."revokedAt"
     FROM "UserSession" s JOIN "User" u ON u.id = s."userId" WHERE s.id = $1 AND s."userId" = $2`,
    [claims.sid, claims.uid],
  );
  const s = rows[0];
  const now = Date.now();
  if (!s || s.disabled || s.revokedAt || s.expiresAt.getTime() <= now) return { kind: "anonymous" };
  if (now - s.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    const expires = Math.min(now + SESSION_IDLE_MS, s.createdAt.getTime() + SESSION_MAX_MS);
    await pool().query(`UPDATE "UserSession" SET "lastSeenAt" = $2, "expiresAt" = $3 WHERE id = $1`, [claims.sid, new Date(now), new Date(expires)]);
  }
  return { kind: "user", id: claims.uid, email: s.email, role: s.role, sessionId: claims.sid };
}

export async function resolveActor(headers: Headers): Promise<Actor> {
  const auth = headers.get("authorization");
  if (auth) {
    const [scheme, secret] = auth.split(" ");
    if (scheme !== "Bearer" || !secret) throw new UnauthenticatedError("Use `Authorization: Bearer <token>`");
    return fromToken(secret.trim());
  }
  return actorForSession(await sessionClaims(sessionJwt(headers.get("cookie"))));
}
