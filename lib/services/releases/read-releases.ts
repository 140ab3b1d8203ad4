// Releases as each caller may see them: drafts to their creator and admins, PRIVATE releases to the people named
// on them, and with every release the caller's own standing (grant, request, terms) so pages show the one action
// that applies.
import "server-only";
import { createHash } from "node:crypto";
import { assertCan, can, type Actor } from "../../auth/policy";
import { db } from "../../db/client";
import { notFound } from "../../errors";
import { assertMayReadReleases, assertVisible, releaseAccess } from "./release-access";

type Row = NonNullable<Awaited<ReturnType<typeof loadRelease>>>;

function loadRelease(id: string) {
  return db.release.findUnique({ where: { id }, include: { files: { orderBy: { path: "asc" } }, createdBy: { select: { email: true } }, checkpoint: { select: { step: true } }, run: { select: { datasetMix: true } } } });
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function present(actor: Actor, r: Row) {
  const access = await releaseAccess(actor, r);
  const canManage = can(actor, "release:write", { ownerId: r.createdById });
  const rules = (r.autoApprove ?? {}) as { roles?: string[]; domains?: string[] };
  const userId = actor.kind === "user" ? actor.id : null;
  const [request, downloads] = await Promise.all([
    userId ? db.accessRequest.findFirst({ where: { releaseId: r.id, userId }, orderBy: { createdAt: "desc" }, select: { status: true } }) : null,
    db.download.count({ where: { file: { releaseId: r.id, kind: "weights" }, OR: [{ rangeStart: null }, { rangeStart: 0n }] } }),
  ]);
  const mix = ((r.run?.datasetMix ?? []) as { dataset: string; name: string; version?: string | null; versionId?: string | null; license: string }[]).map((m) => ({
    dataset: m.dataset, name: m.name, version: m.version ?? null, versionId: m.versionId ?? null, license: m.license,
  }));
  return {
    id: r.id, name: r.name, version: r.version, status: r.status, policy: r.policy, license: r.license, licenseOverride: r.licenseOverride,
    description: r.description, card: r.card, terms: r.terms, termsVersion: r.termsVersion, inputContract: r.inputContract,
    // Visitors of a public index don't learn who on the team made it.
    deprecatedAt: iso(r.deprecatedAt), deprecationNote: r.deprecationNote, createdBy: actor.kind === "user" ? r.createdBy.email : "", createdAt: r.createdAt.toISOString(),
    publishedAt: iso(r.publishedAt), runId: r.runId, checkpointStep: r.checkpoint ? Number(r.checkpoint.step) : null, datasets: mix,
    files: r.files.map((f) => ({ path: f.path, kind: f.kind, bytes: Number(f.bytes), sha256: f.sha256 })).concat([{ path: "README.md", kind: "card", bytes: Buffer.byteLength(r.card), sha256: createHash("sha256").update(r.card).digest("hex") }]),
    starter: r.starterVersion && r.starterSha256 ? { version: r.starterVersion, sha256: r.starterSha256 } : null,
    access: { canDownload: can(actor, "release:download", { release: access }), grant: access.grant, request: request?.status ?? "none", termsAccepted: access.termsAccepted },
    requestFields: ((r.requestFields ?? []) as { name: string; label: string; required: boolean }[]),
    downloads,
    canManage,
    // The rules that approve requests at once are the maker's business, not every reader's.
    autoApprove: canManage ? { roles: [...rules.roles ?? []], domains: [...rules.domains ?? []] } : null,
  } as const;
}

export async function getRelease(actor: Actor, id: string) {
  assertMayReadReleases(actor);
  const r = await loadRelease(id);
  // Unknown and not-visible read the same, so ids can't be probed.
  if (!r || !can(actor, "release:read", { release: await releaseAccess(actor, r) })) throw notFound("Release");
  return present(actor, r);
}

/** A release by name and version (`latest`: the newest published one the caller may see). */
export async function findRelease(actor: Actor, name: string, version = "latest") {
  assertCan(actor, "release:read");
  const rows = await db.release.findMany({ where: { name, ...(version === "latest" ? { status: "PUBLISHED" } : { version }) }, orderBy: { publishedAt: "desc" }, select: { id: true } });
  for (const { id } of rows) {
    const r = await getRelease(actor, id).catch(() => null);
    if (r) return r;
  }
  throw notFound(`Release ${name}${version === "latest" ? "" : `@${version}`}`);
}

export async function listReleases(actor: Actor, q: { runId?: string } = {}) {
  assertMayReadReleases(actor);
  const rows = await db.release.findMany({ where: q.runId ? { runId: q.runId } : {}, orderBy: [{ name: "asc" }, { createdAt: "desc" }], take: 500, include: { files: { orderBy: { path: "asc" } }, createdBy: { select: { email: true } }, checkpoint: { select: { step: true } }, run: { select: { datasetMix: true } } } });
  const out = [];
  for (const r of rows) {
    if (!can(actor, "release:read", { release: await releaseAccess(actor, r) })) continue;
    const { card: _c, terms: _t, inputContract: _i, ...rest } = await present(actor, r);
    out.push(rest);
  }
  return out;
}

/** Downloads of the weights per day (last 90 days) and in all, for the release's maker and admins. */
export async function releaseStats(actor: Actor, id: string) {
  const r = await db.release.findUnique({ where: { id } });
  if (!r) throw notFound("Release");
  assertVisible(actor, await releaseAccess(actor, r));
  assertCan(actor, "release:write", { ownerId: r.createdById });
  // A download is a fetch of the weights from their first byte (resumed ranges and config fetches don't count).
  const days = await db.$queryRaw<{ day: Date; downloads: number; people: number }[]>`
    SELECT date_trunc('day', d."createdAt") AS day, count(*)::int AS downloads, count(DISTINCT d."userId")::int AS people
      FROM "Download" d JOIN "ReleaseFile" f ON f.id = d."releaseFileId"
     WHERE f."releaseId" = ${id} AND f.kind = 'weights' AND (d."rangeStart" IS NULL OR d."rangeStart" = 0)
       AND d."createdAt" > now() - interval '90 days'
     GROUP BY 1 ORDER BY 1`;
  const [total, people] = await Promise.all([
    db.download.count({ where: { file: { releaseId: id, kind: "weights" }, OR: [{ rangeStart: null }, { rangeStart: 0n }] } }),
    db.download.findMany({ where: { file: { releaseId: id, kind: "weights" } }, distinct: ["userId"], select: { userId: true } }),
  ]);
  return { total, people: people.length, days: days.map((d) => ({ day: d.day.toISOString().slice(0, 10), downloads: d.downloads, people: d.people })) };
}
