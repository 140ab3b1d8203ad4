// A published version's manifest as files (JSON in the trainer's format, and CSV), built by the job process: a
// version of 250,000 volumes is a large document, and serializing it is work the web process never does. A published
// version never changes, so its manifest is built once and kept.
import "server-only";
import { open } from "node:fs/promises";
import type { Actor } from "../../auth/policy";
import { blobStore } from "../../blobs/blob-store";
import { READ_FLAGS } from "../../http/open-flags";
import { awaitJob } from "../../jobs/queue";
import { manifestCsv, manifestVersion, versionManifest } from "./version-insights";

export type ManifestFormat = "json" | "csv";
const key = (versionId: string, format: ManifestFormat) => `manifests/${versionId.toLowerCase()}.${format}`;
const SYSTEM: Actor = { kind: "system", label: "job process" };
const WAIT_MS = 30_000;

/** The job: both files of one version. */
export async function makeManifestFiles(payload: { versionId: string }) {
  const m = await versionManifest(SYSTEM, payload.versionId);
  await blobStore().putBuffer(key(payload.versionId, "json"), Buffer.from(JSON.stringify(m, null, 2)));
  await blobStore().putBuffer(key(payload.versionId, "csv"), Buffer.from(manifestCsv(m)));
  return { volumes: m.volumes.length };
}

export async function openManifest(actor: Actor, versionId: string, format: ManifestFormat) {
  const v = await manifestVersion(actor, versionId);
  if ((await blobStore().size(key(v.id, format))) === null) {
    await awaitJob("manifest", `manifest:${v.id}`, { versionId: v.id }, { timeoutMs: WAIT_MS, redo: true, what: "The manifest" });
  }
  const fh = await open(blobStore().localPath(key(v.id, format)), READ_FLAGS);
  const size = (await fh.stat()).size;
  return { size, stream: fh.createReadStream({ highWaterMark: 1 << 20 }), name: `${v.dataset.slug}-${v.version}-manifest`.replace(/[^\w.-]/g, "_") };
}
