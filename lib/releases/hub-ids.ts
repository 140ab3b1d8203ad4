// How releases look to a Hugging Face Hub client: a release name is the repository `<namespace>/<name>`, each
// version a revision with a fixed 40-hex commit id, and every file an LFS object (its ETag the sha256 we already
// keep, so the client's cache is keyed by content and `hf cache verify` checks what we publish).
import { createHash } from "node:crypto";

export const COMMIT_RE = /^[0-9a-f]{40}$/;

/** `ns/name` (ns ours, in any case) → the release name, or null for anything else. */
export function releaseNameOf(namespace: string, name: string, ours: string): string | null {
  if (namespace.toLowerCase() !== ours.toLowerCase()) return null;
  return /^[a-z0-9][a-z0-9._-]{1,63}$/.test(name) ? name : null;
}

/** A release version's commit id: stable for the life of the release (a published one never changes). */
export function commitOf(releaseId: string) {
  return createHash("sha1").update(`hounsfield-release\0${releaseId}`).digest("hex");
}

/** The git blob id of a file's LFS pointer, which is what the Hub lists as an LFS file's `oid`/`blobId`. */
export function lfsPointer(sha256: string, size: number) {
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
  const oid = createHash("sha1").update(`blob ${Buffer.byteLength(pointer)}\0${pointer}`).digest("hex");
  return { oid, pointerSize: Buffer.byteLength(pointer) };
}

/** Revisions as a client may write them: `main` (newest), a version (`1.2.0`, `v1.2.0`) or a commit id. */
export function pickRevision<R extends { id: string; version: string; status: string; deprecatedAt: Date | null; publishedAt: Date | null; createdAt: Date }>(rows: R[], revision: string): R | null {
  if (revision === "main") {
    const byNewest = [...rows].sort((a, b) => +(b.publishedAt ?? b.createdAt) - +(a.publishedAt ?? a.createdAt));
    const published = byNewest.filter((r) => r.status === "PUBLISHED");
    return published.find((r) => !r.deprecatedAt) ?? published[0] ?? byNewest[0] ?? null;
  }
  if (COMMIT_RE.test(revision)) return rows.find((r) => commitOf(r.id) === revision) ?? null;
  const version = revision.startsWith("v") ? revision.slice(1) : revision;
  return rows.find((r) => r.version === version) ?? null;
}
