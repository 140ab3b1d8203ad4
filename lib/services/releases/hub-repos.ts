// Releases as Hugging Face Hub repositories, for `hf download`, `snapshot_download` and transformers'
// `from_pretrained` pointed at this server (HF_ENDPOINT). Access is the same as everywhere else (releaseAccess,
// the policy, openReleaseFile); what differs is how refusals are phrased: the client recognises only its
// X-Error-Code values, and shows anything else as "check your connection".
import "server-only";
import { createHash } from "node:crypto";
import type { ServiceContext } from "../../audit/record-audit";
import { can, ForbiddenError, releaseVisible, UnauthenticatedError, type Actor, type ReleaseAccess } from "../../auth/policy";
import { db } from "../../db/client";
import { env, publicUrl } from "../../env";
import { DomainError } from "../../errors";
import type { ByteRange } from "../../http/byte-range";
import { commitOf, lfsPointer, pickRevision, releaseNameOf } from "../../releases/hub-ids";
import { releaseAccess } from "./release-access";
import { openReleaseFile, TermsNotAccepted } from "./release-downloads";

export type HubErrorCode = "RepoNotFound" | "RevisionNotFound" | "EntryNotFound" | "GatedRepo";

export class HubError extends DomainError {
  constructor(code: HubErrorCode, status: number, message: string, headers: Record<string, string> = {}) {
    super(message, status, code === "GatedRepo" ? "Forbidden" : "Not found", undefined, { "X-Error-Code": code, ...headers });
  }
}

type Row = NonNullable<Awaited<ReturnType<typeof rowsNamed>>>[number];

const rowsNamed = (name: string) => db.release.findMany({ where: { name }, include: { files: { orderBy: { path: "asc" } } }, take: 500 });

/** The release a repo id and revision name for this caller, with the caller's standing on it. */
async function resolveRepo(actor: Actor, namespace: string, repo: string, revision: string) {
  const ours = env().HUB_NAMESPACE;
  const repoId = `${namespace}/${repo}`;
  const anonymous = actor.kind === "anonymous";
  const missing = () => new HubError("RepoNotFound", anonymous ? 401 : 404, `Repository ${repoId.slice(0, 200)} was not found on this server, or you may not see it${anonymous ? ": send a token (--token)" : ""}`);
  const name = releaseNameOf(namespace, repo, ours);
  if (!name) throw missing();
  const visible: { r: Row; access: ReleaseAccess }[] = [];
  for (const r of await rowsNamed(name)) {
    const access = await releaseAccess(actor, r);
    if (releaseVisible(actor, access)) visible.push({ r, access });
  }
  if (!visible.length) throw missing();
  const picked = pickRevision(visible.map((v) => v.r), revision);
  if (!picked) throw new HubError("RevisionNotFound", 404, `${repoId} has no revision ${revision.slice(0, 100)}: use main, a published version (${visible.map((v) => v.r.version).join(", ")}) or a commit id`);
  return { r: picked, access: visible.find((v) => v.r === picked)!.access, commit: commitOf(picked.id), repoId: `${ours}/${name}` };
}

/** A release's files as the Hub lists them (every one an LFS object), its model card as README.md. */
function filesOf(r: Row) {
  const files = r.files.map((f) => ({ path: f.path, size: Number(f.bytes), sha256: f.sha256 }));
  if (r.card) files.push({ path: "README.md", size: Buffer.byteLength(r.card), sha256: createHash("sha256").update(r.card).digest("hex") });
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Model info (GET /api/models/{repo}[/revision/{rev}]): what 0.x clients list a snapshot's files from. */
export async function hubModelInfo(actor: Actor, namespace: string, repo: string, revision = "main") {
  const { r, access, commit, repoId } = await resolveRepo(actor, namespace, repo, revision);
  readable(actor, access, repoId);
  const auto = r.autoApprove as { roles?: string[]; domains?: string[] } | null;
  return {
    _id: r.id,
    id: repoId,
    modelId: repoId,
    author: repoId.split("/")[0],
    sha: commit,
    lastModified: (r.publishedAt ?? r.createdAt).toISOString(),
    createdAt: r.createdAt.toISOString(),
    private: r.policy === "PRIVATE",
    gated: r.policy === "GATED" ? (auto?.roles?.length || auto?.domains?.length ? "auto" : "manual") : false,
    disabled: false,
    tags: ["hounsfield", "computed-tomography", "self-supervised", `version:${r.version}`],
    pipeline_tag: "feature-extraction",
    siblings: filesOf(r).map((f) => {
      const lfs = lfsPointer(f.sha256, f.size);
      return { rfilename: f.path, size: f.size, blobId: lfs.oid, lfs: { size: f.size, sha256: f.sha256, pointerSize: lfs.pointerSize } };
    }),
    spaces: [],
  };
}

export const TREE_PAGE = 1000;

/** A revision's file listing (GET /api/models/{repo}/tree/{rev}[/{path}]), `limit` entries from `cursor`: the
 * 1.x client's way to list a snapshot, following the Link header's next page. Releases are flat: a path lists the
 * one file it names, or is not found. */
export async function hubTree(actor: Actor, namespace: string, repo: string, revision: string, pathInRepo: string, page: { cursor: number; limit: number }) {
  const { r, access, commit, repoId } = await resolveRepo(actor, namespace, repo, revision);
  readable(actor, access, repoId);
  const files = filesOf(r).filter((f) => !pathInRepo || f.path === pathInRepo);
  if (pathInRepo && !files.length) throw new HubError("EntryNotFound", 404, `${pathInRepo.slice(0, 200)} is not in ${repoId} ${r.version}`, { "X-Repo-Commit": commit });
  const all = files.map((f) => {
    const lfs = lfsPointer(f.sha256, f.size);
    return { type: "file" as const, oid: lfs.oid, size: f.size, path: f.path, lfs: { oid: f.sha256, size: f.size, pointerSize: lfs.pointerSize } };
  });
  const entries = all.slice(page.cursor, page.cursor + page.limit);
  return { entries, next: page.cursor + page.limit < all.length ? page.cursor + page.limit : null, commit };
}

/** One file of a revision (GET/HEAD /{repo}/resolve/{rev}/{file}), authorized and (GET only) recorded. */
export async function hubResolve(ctx: ServiceContext, namespace: string, repo: string, revision: string, filename: string, range: ByteRange | null, opts: { head: boolean; offload: boolean }) {
  const { r, access, commit, repoId } = await resolveRepo(ctx.actor, namespace, repo, revision);
  const found = filename === "README.md" ? !!r.card : r.files.some((f) => f.path === filename);
  if (!found) throw new HubError("EntryNotFound", 404, `${filename.slice(0, 200)} is not a file of ${repoId} ${r.version}`, { "X-Repo-Commit": commit });
  try {
    const f = await openReleaseFile(ctx, r.id, filename, range, { record: !opts.head, open: !opts.head, offload: opts.offload });
    return { ...f, commit };
  } catch (e) {
    if (e instanceof ForbiddenError || e instanceof UnauthenticatedError || e instanceof TermsNotAccepted) throw await gated(ctx.actor, r, access, repoId, e);
    throw e;
  }
}

/** Reading needs the `read` scope; a token without it hears so as a GatedRepo answer the client shows. */
function readable(actor: Actor, access: ReleaseAccess, repoId: string) {
  if (!can(actor, "release:read", { release: access })) throw new HubError("GatedRepo", actor.kind === "user" ? 403 : 401, `Your token may not read ${repoId}: it needs the read and download scopes`);
}

/** Why this caller may not download, in words that say what to do next. */
async function gated(actor: Actor, r: Row, access: ReleaseAccess, repoId: string, e: unknown) {
  const page = `${publicUrl()}/releases/${r.id}`;
  if (actor.kind !== "user") return new HubError("GatedRepo", 401, `${repoId} needs an account with access: send a token (--token). Request access at ${page}`);
  if (e instanceof TermsNotAccepted) return new HubError("GatedRepo", 403, `Accept the terms of ${repoId} (version ${r.termsVersion}) at ${page} before downloading`);
  if (actor.token && !actor.token.scopes.includes("download") && !actor.token.scopes.includes("admin")) return new HubError("GatedRepo", 403, `Your token may not download: make one with the read and download scopes`);
  if (access.grant === "revoked") return new HubError("GatedRepo", 403, `Your access to ${repoId} was revoked`);
  if (access.grant === "expired") return new HubError("GatedRepo", 403, `Your access to ${repoId} has expired: request it again at ${page}`);
  const request = await db.accessRequest.findFirst({ where: { releaseId: r.id, userId: actor.id }, orderBy: { createdAt: "desc" }, select: { status: true } });
  if (request?.status === "PENDING") return new HubError("GatedRepo", 403, `Your request for ${repoId} is waiting for review`);
  if (request?.status === "DENIED") return new HubError("GatedRepo", 403, `Your request for ${repoId} was denied; you may apply again at ${page}`);
  return new HubError("GatedRepo", 403, `Access to ${repoId} is restricted: request it at ${page}`);
}
