// Short-lived download links: a URL that carries who may download which file of which release until when, signed
// with the server's secret (HMAC-SHA256), so a download manager or `curl` can fetch it without a token. The link
// only names the person: their access is checked again when it is used, so a revoked grant or a disabled account
// stops it at once.
import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "../env";

export const LINK_SECONDS = 300;

export type LinkClaims = { releaseId: string; path: string; userId: string; exp: number };

function key() {
  const secret = env().NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is not set");
  // A key of its own, derived from the session secret: a link's signature is never a session's.
  return createHmac("sha256", secret).update("hounsfield download links v1").digest();
}

const b64 = (b: Buffer) => b.toString("base64url");

export function signLink(c: LinkClaims) {
  const payload = b64(Buffer.from(JSON.stringify([c.releaseId, c.path, c.userId, c.exp])));
  const sig = b64(createHmac("sha256", key()).update(payload).digest());
  return `${payload}.${sig}`;
}

/** The claims of a well-signed link, or why it is refused (the caller answers 403 or 410). */
export function verifyLink(token: string, now = Date.now()): { ok: true; claims: LinkClaims } | { ok: false; why: "bad" | "expired" } {
  const m = /^([A-Za-z0-9_-]{10,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, why: "bad" };
  const want = createHmac("sha256", key()).update(m[1]).digest();
  const got = Buffer.from(m[2], "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, why: "bad" };
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(m[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, why: "bad" };
  }
  if (!Array.isArray(parts) || parts.length !== 4 || !parts.slice(0, 3).every((p) => typeof p === "string") || typeof parts[3] !== "number") return { ok: false, why: "bad" };
  const [releaseId, path, userId, exp] = parts as [string, string, string, number];
  if (exp * 1000 <= now) return { ok: false, why: "expired" };
  return { ok: true, claims: { releaseId, path, userId, exp } };
}
