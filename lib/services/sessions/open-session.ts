import "server-only";
import { SESSION_IDLE_MS } from "../../auth/resolve-actor";
import type { Tx } from "../../db/client";

/** The row a browser session cookie names; written in the sign-in transaction. */
export async function openSession(tx: Tx, userId: string, method: "password" | "oidc" | "link", ip?: string | null, userAgent?: string | null) {
  const s = await tx.userSession.create({
    data: { userId, method, ip: ip ?? null, userAgent: userAgent?.slice(0, 300) ?? null, expiresAt: new Date(Date.now() + SESSION_IDLE_MS) },
  });
  return s.id;
}
