import "server-only";
import type { Tx } from "../../db/client";
import { env } from "../../env";
import { DomainError } from "../../errors";

/** A worker row as the instance check needs it: which agent process is attached, and when it was last heard. */
export type AttachedWorker = { id: string; instanceId: string | null; hostname: string; seenSecondsAgo: number | null };

const ATTACHED = `SELECT id, "instanceId", hostname,
    extract(epoch FROM (now() AT TIME ZONE 'UTC') - "lastHeartbeatAt")::float8 AS "seenSecondsAgo" FROM "Worker"`;

/** The live worker of a token, locked (the token row first, so two agents registering at once with one token are
 * judged one after the other). */
export async function lockWorkerOfToken(tx: Tx, tokenId: string) {
  await tx.$queryRaw`SELECT id FROM "ApiToken" WHERE id = ${tokenId} FOR UPDATE`;
  const [w] = await tx.$queryRawUnsafe<AttachedWorker[]>(`${ATTACHED} WHERE "tokenId" = $1 AND "removedAt" IS NULL ORDER BY "createdAt" LIMIT 1 FOR UPDATE`, tokenId);
  return w ?? null;
}

const refusal = (message: string) => new DomainError(message, 409, "Worker token in use", [{ field: "instanceId", message: "another agent uses this worker token" }]);

/** One agent process per worker: another one is refused while the attached one heartbeats (within the lease TTL);
 * once it has been silent that long (its runs are being requeued), a registration takes over. A heartbeat or claim
 * from a process that is not the attached one is refused, so the one that was replaced stops. */
export function assertCurrentInstance(w: AttachedWorker, instanceId: string, call: "register" | "heartbeat" | "claim") {
  if (!w.instanceId || w.instanceId === instanceId) return;
  const host = JSON.stringify(w.hostname || "unknown");
  if (call === "register") {
    const ago = w.seenSecondsAgo;
    if (ago === null || ago >= env().LEASE_TTL_SECONDS) return;
    throw refusal(
      `Another agent is attached with this worker token (host ${host}, last heard from ${Math.max(0, Math.round(ago))} s ago). ` +
        "Stop that agent, or give this machine its own worker token (Workers page, Attach a machine). " +
        "An agent restarted with the same --work-dir is recognized as the same agent.",
    );
  }
  throw refusal(
    `This agent is no longer attached as its worker: another agent (host ${host}) registered with the same worker token after this one went silent. ` +
      "Stop one of them, or give each machine its own worker token.",
  );
}
