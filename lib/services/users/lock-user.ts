import "server-only";
import type { Tx } from "../../db/client";

/** The user row as the one lock for a person's credentials. Whatever ends credentials (disabling, an SSO claim)
 * takes it FOR UPDATE; whatever makes new ones (a token, a session) takes it FOR SHARE and re-checks inside its
 * transaction, so a credential can never be created from a state that was just revoked. */
export async function lockUser(tx: Tx, userId: string, mode: "share" | "update") {
  const rows = await tx.$queryRawUnsafe<{ disabled: boolean; passwordHash: string | null; emailVerifiedAt: Date | null }[]>(
    `SELECT disabled, "passwordHash", "emailVerifiedAt" FROM "User" WHERE id = $1 ${mode === "share" ? "FOR SHARE" : "FOR UPDATE"}`,
    userId,
  );
  return rows[0] ?? null;
}

/** Inside such a transaction: is the session or token making this request still live? */
export async function credentialLive(tx: Tx, actor: { sessionId?: string; token?: { id: string } }) {
  if (actor.sessionId) {
    const [s] = await tx.$queryRaw<{ live: boolean }[]>`SELECT "revokedAt" IS NULL AND "expiresAt" > now() AT TIME ZONE 'UTC' AS live FROM "UserSession" WHERE id = ${actor.sessionId}`;
    return s?.live === true;
  }
  if (actor.token) {
    const [t] = await tx.$queryRaw<{ live: boolean }[]>`SELECT "revokedAt" IS NULL AS live FROM "ApiToken" WHERE id = ${actor.token.id} FOR SHARE`;
    return t?.live === true;
  }
  return true;
}
