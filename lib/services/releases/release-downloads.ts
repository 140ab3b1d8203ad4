// Downloading a release's files: authorized by the policy against the release and the caller's grant and terms
// (checked on every request, so a revoked grant or token stops the next one), served from the blob store with
// Range, and recorded: who, which file (sha256), how many bytes from where, when, from which address.
import "server-only";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { ServiceContext } from "../../audit/record-audit";
import { assertCan, ForbiddenError } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { db } from "../../db/client";
import { DomainError, notFound } from "../../errors";
import { servedRange, type ByteRange } from "../../http/byte-range";
import { assertVisible, releaseAccess } from "./release-access";
import { LINK_SECONDS, signLink, verifyLink } from "../../releases/download-links";

export class TermsNotAccepted extends DomainError {
  constructor(releaseId: string, termsVersion: string) {
    super(`Accept the terms of this release (version ${termsVersion}) before downloading: POST /api/v1/releases/${releaseId}/terms`, 403, "Terms not accepted", [{ field: "terms", message: `accept version ${termsVersion}` }], { Link: `</releases/${releaseId}>; rel="terms-of-service"` });
  }
}

/** Authorizes a download of `path` from a release; `README.md` is the card. Throws 404 for what the caller can't see. */
/** `record: false, open: false` is a HEAD: the same decision and headers, no Download row, no blob opened. */
export async function openReleaseFile(ctx: ServiceContext, releaseId: string, filePath: string, range: ByteRange | null, opts: { record?: boolean; offload?: boolean; open?: boolean } = {}) {
  assertCan(ctx.actor, "release:download");
  const r = await db.release.findUnique({ where: { id: releaseId }, include: { files: true } });
  if (!r) throw notFound("Release");
  const access = await releaseAccess(ctx.actor, r);
  assertVisible(ctx.actor, access);
  try {
    assertCan(ctx.actor, "release:download", { release: access });
  } catch (e) {
    // Say what to do: accept the terms, when that is what's missing.
    if (e instanceof ForbiddenError && !access.termsAccepted && (access.policy === "OPEN" || access.grant === "active")) throw new TermsNotAccepted(r.id, r.termsVersion);
    throw e;
  }
  const card = filePath === "README.md";
  const f = card ? null : r.files.find((x) => x.path === filePath);
  if (!card && !f) throw notFound(`File ${filePath.slice(0, 100)} of this release`);
  const size = card ? Buffer.byteLength(r.card) : Number(f!.bytes);
  const { from, end } = servedRange(range, size);
  // Offloaded: nginx sends the bytes (and answers the Range itself); nothing is opened here.
  const offload = !!opts.offload && !card;
  const stream = size === 0 || offload || opts.open === false ? null : card ? Readable.from(Buffer.from(r.card).subarray(from, end + 1)) : blobStore().read(f!.storageKey, { start: from, end });
  if (f && opts.record !== false) {
    await db.download.create({
      data: { releaseFileId: f.id, userId: ctx.actor.kind === "user" ? ctx.actor.id : null, sha256: f.sha256, bytes: BigInt(Math.max(0, end - from + 1)), rangeStart: range ? BigInt(from) : null, rangeEnd: range ? BigInt(end) : null, ip: ctx.ip ?? null },
    });
  }
  return { size, from, end, stream, sha256: f?.sha256 ?? createHash("sha256").update(r.card).digest("hex"), name: filePath, release: r, storageKey: offload ? f!.storageKey : null };
}

/** A short-lived link to one file, for a caller who may download it now. */
export async function createDownloadLink(ctx: ServiceContext, releaseId: string, filePath: string) {
  await openReleaseFile(ctx, releaseId, filePath, null, { record: false, open: false });
  if (ctx.actor.kind !== "user") throw new DomainError("Links are made for people", 403, "Forbidden");
  const exp = Math.floor(Date.now() / 1000) + LINK_SECONDS;
  return { url: `/api/v1/downloads/${signLink({ releaseId, path: filePath, userId: ctx.actor.id, exp })}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/** A link's download: its signature and time checked, then the named person's access checked as if they asked. */
export async function openLinkedFile(token: string, ip: string | null, range: ByteRange | null, opts: { record?: boolean; open?: boolean } = {}) {
  const v = verifyLink(token);
  if (!v.ok) throw v.why === "expired" ? new DomainError("This download link has expired: make a new one on the release's page", 410, "Gone") : new DomainError("This download link is not valid", 403, "Forbidden");
  const user = await db.user.findUnique({ where: { id: v.claims.userId }, select: { id: true, email: true, role: true, disabled: true } });
  if (!user || user.disabled) throw new DomainError("This download link is not valid", 403, "Forbidden");
  return openReleaseFile({ actor: { kind: "user", id: user.id, email: user.email, role: user.role }, ip }, v.claims.releaseId, v.claims.path, range, opts);
}
