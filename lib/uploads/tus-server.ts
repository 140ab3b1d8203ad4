// The resumable-upload endpoint (tus 1.0, @tus/server): bytes go straight to a file in the data folder, in
// bounded memory, and a client that lost its connection asks for the offset and sends the rest. Every request is
// authorized against the run lease its upload names; a finished upload is verified and handed to the blob store.
import "server-only";
import { statfs } from "node:fs/promises";
import path from "node:path";
import { Server, type Upload } from "@tus/server";
import { ForbiddenError, UnauthenticatedError, type Actor } from "../auth/policy";
import { resolveActor } from "../auth/resolve-actor";
import { dataDir, env } from "../env";
import { DomainError } from "../errors";
import { UPLOAD_CHUNK_LIMIT } from "../schemas/worker";
import { authorizeUpload, finishUpload, parseUploadMetadata } from "../services/checkpoints/checkpoint-uploads";
import { authorizeDatasetUpload, beginDatasetUpload, finishDatasetUpload, isDatasetUpload, parseDatasetUploadMetadata } from "../services/datasets/dataset-uploads";
import { HashingFileStore } from "./hashing-file-store";

export const UPLOAD_PATH = "/api/v1/uploads";
const EXPIRY_MS = 7 * 24 * 3_600_000;

/** tus hooks answer with `{ status_code, body }`; ours is problem+json naming what is wrong. */
function refusal(e: unknown) {
  const [status, title, detail, errors] =
    e instanceof UnauthenticatedError ? [401, "Unauthorized", e.message, undefined]
    : e instanceof ForbiddenError ? [403, "Forbidden", e.message, undefined]
    : e instanceof DomainError ? [e.status, e.title, e.message, e.errors]
    : [500, "Internal Server Error", "The upload could not be processed", undefined];
  if (status === 500) console.error("upload:", e);
  return { status_code: status, body: JSON.stringify({ type: "about:blank", title, status, detail, errors }) };
}

/** Free space kept on the upload disk beyond what an upload may still write. */
const DISK_SPARE = 2 ** 30;

/** Refused before a byte is written when the disk can't hold `bytes` more (with DISK_SPARE to spare). */
async function assertDiskRoom(bytes: number, field: string) {
  const fs = await statfs(uploadDir()).catch(() => null);
  if (fs && bytes + DISK_SPARE > fs.bavail * fs.bsize) {
    throw new DomainError(`Not enough disk space for ${bytes} more bytes`, 507, "Insufficient Storage", [{ field, message: "larger than the free space" }]);
  }
}

/** The checks a length gets whenever it becomes known, at creation or later in a PATCH (a deferred length): the
 * upload's own limit, then the disk, for what is still to come. */
async function assertLengthFits(actor: Actor, metadata: Upload["metadata"], size: number, offset: number) {
  if (isDatasetUpload(metadata)) await authorizeDatasetUpload(actor, parseDatasetUploadMetadata(metadata), size);
  else if (size > env().CHECKPOINT_MAX_BYTES) {
    throw new DomainError(`A checkpoint may be at most ${env().CHECKPOINT_MAX_BYTES} bytes`, 413, "Too large", [{ field: "Upload-Length", message: `at most ${env().CHECKPOINT_MAX_BYTES}` }]);
  }
  await assertDiskRoom(size - offset, "Upload-Length");
}

/** The most one request may write: its declared body, else the per-request limit (chunked bodies are cut there). */
const requestBytes = (req: Request) => Math.min(Number(req.headers.get("content-length") ?? UPLOAD_CHUNK_LIMIT) || 0, UPLOAD_CHUNK_LIMIT);

async function actorOf(req: Request) {
  const actor = await resolveActor(req.headers);
  if (actor.kind === "anonymous") throw new UnauthenticatedError();
  return actor;
}

let server: Server | undefined;
let store: HashingFileStore | undefined;

export function uploadDir() {
  return path.join(dataDir(), "uploads");
}

export function tusServer() {
  if (server) return server;
  store = new HashingFileStore({ directory: uploadDir(), expirationPeriodInMilliseconds: EXPIRY_MS });
  const files = store;
  server = new Server({
    path: UPLOAD_PATH,
    datastore: files,
    relativeLocation: true,
    maxSize: env().CHECKPOINT_MAX_BYTES,
    async onIncomingRequest(req, id) {
      if (req.method === "POST" || req.method === "OPTIONS") return;
      try {
        const upload: Upload = await files.getUpload(id);
        const actor = await actorOf(req);
        if (isDatasetUpload(upload.metadata)) await authorizeDatasetUpload(actor, parseDatasetUploadMetadata(upload.metadata));
        else await authorizeUpload(actor, parseUploadMetadata(upload.metadata));
        // A deferred length is checked like a declared one when a PATCH declares it; until then, each PATCH
        // must fit on the disk.
        const declared = req.method === "PATCH" && upload.size === undefined ? req.headers.get("upload-length") : null;
        if (declared !== null && /^\d{1,20}$/.test(declared)) await assertLengthFits(actor, upload.metadata, Number(declared), upload.offset);
        else if (req.method === "PATCH" && upload.size === undefined) await assertDiskRoom(requestBytes(req), "body");
      } catch (e) {
        if ((e as { status_code?: number }).status_code) throw e; // tus's own (e.g. 404 for an unknown upload)
        throw refusal(e);
      }
    },
    async onUploadCreate(req, upload) {
      try {
        const actor = await actorOf(req);
        const dataset = isDatasetUpload(upload.metadata);
        if (dataset) {
          if (upload.size === undefined) throw new DomainError("Dataset uploads declare their length", 400, "Invalid request", [{ field: "Upload-Length", message: "required" }]);
        } else await authorizeUpload(actor, parseUploadMetadata(upload.metadata));
        if (upload.size !== undefined) await assertLengthFits(actor, upload.metadata, upload.size, 0);
        else await assertDiskRoom(requestBytes(req), "body");
        if (dataset) await beginDatasetUpload(actor, parseDatasetUploadMetadata(upload.metadata), path.join(uploadDir(), upload.id), upload.size!);
        return { metadata: upload.metadata };
      } catch (e) {
        throw refusal(e);
      }
    },
    async onUploadFinish(req, upload) {
      try {
        const actor = await actorOf(req);
        if (isDatasetUpload(upload.metadata)) {
          files.takeDigest(upload.id, upload.offset);
          await finishDatasetUpload(actor, parseDatasetUploadMetadata(upload.metadata), path.join(uploadDir(), upload.id), upload.offset);
          await files.configstore.delete(upload.id);
          return {};
        }
        const meta = parseUploadMetadata(upload.metadata);
        await authorizeUpload(actor, meta);
        await finishUpload(actor, meta, path.join(uploadDir(), upload.id), upload.offset, files.takeDigest(upload.id, upload.offset));
        await files.configstore.delete(upload.id); // its metadata; the bytes themselves moved to the blob store
        return {};
      } catch (e) {
        if (e instanceof DomainError && e.status === 400) await files.remove(upload.id).catch(() => undefined);
        throw refusal(e);
      }
    },
  });
  return server;
}

/** Uploads begun but not finished within a week (an agent that never came back, a closed browser tab) are
 * deleted; a dataset file among them is reported as incomplete on its version. Hourly. */
export async function pruneUploads() {
  const { expireDatasetUploads } = await import("../services/datasets/dataset-uploads");
  await expireDatasetUploads(new Date(Date.now() - EXPIRY_MS));
  return tusServer() && store ? store.deleteExpired() : 0;
}
