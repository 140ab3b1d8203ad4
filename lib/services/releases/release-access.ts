// A release as the policy sees it for one caller: its policy and state, and the caller's grant and terms
// acceptance (one query). Every release service passes this to assertCan; nothing else decides access.
import "server-only";
import { assertCan, releaseVisible, type Actor, type ReleaseAccess } from "../../auth/policy";
import { notFound } from "../../errors";
import { db } from "../../db/client";
import { env } from "../../env";

type ReleaseRow = { id: string; policy: "OPEN" | "GATED" | "PRIVATE"; status: "DRAFT" | "PUBLISHED"; createdById: string; terms: string; termsVersion: string };

export async function releaseAccess(actor: Actor, r: ReleaseRow): Promise<ReleaseAccess> {
  const userId = actor.kind === "user" ? actor.id : null;
  const [grant, accepted] = userId
    ? await Promise.all([
        db.accessGrant.findFirst({ where: { releaseId: r.id, userId }, orderBy: { createdAt: "desc" }, select: { expiresAt: true, revokedAt: true } }),
        r.terms ? db.termsAcceptance.findUnique({ where: { releaseId_userId_termsVersion: { releaseId: r.id, userId, termsVersion: r.termsVersion } }, select: { id: true } }) : Promise.resolve({ id: "none needed" }),
      ])
    : [null, null];
  const now = new Date();
  return {
    policy: r.policy,
    published: r.status === "PUBLISHED",
    ownerId: r.createdById,
    grant: !grant ? "none" : grant.revokedAt ? "revoked" : grant.expiresAt && grant.expiresAt <= now ? "expired" : "active",
    termsAccepted: !!accepted,
    publicIndex: env().PUBLIC_RELEASES === "index",
  };
}

/** Reading releases at all: signed in with the read scope, or a visitor when the server lists releases publicly
 * (each release is then checked by releaseVisible). */
export function assertMayReadReleases(actor: Actor) {
  if (actor.kind === "anonymous" && env().PUBLIC_RELEASES === "index") return;
  assertCan(actor, "release:read");
}

/** A release the caller may not see answers as one that doesn't exist: ids can't be probed. */
export function assertVisible(actor: Actor, access: ReleaseAccess) {
  if (!releaseVisible(actor, access)) throw notFound("Release");
}
