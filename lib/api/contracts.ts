// Every /api/v1 endpoint. A route file without an entry here fails the authorization matrix test.
import { z } from "zod";
import { ZAuditPage, ZAuditQuery } from "../schemas/audit";
import { ZId, ZIdParams } from "../schemas/common";
import { ZCreateDataset, ZCreateVersion, ZDataset, ZDatasetList, ZDatasetListQuery, ZFileProblemPage, ZIngestJob, ZRegisterFolder, ZRoots, ZScanPage, ZScanQuery, ZVersion, ZVersionList, ZVersionStats, ZDuplicates, ZManifestQuery, ZPreviewQuery, ZUpdateDataset } from "../schemas/dataset";
import { ZAcceptTerms, ZAccessQuery, ZAccessRequest, ZAccessRequestList, ZCreateRelease, ZDecide, ZDecided, ZDeprecate, ZGrantUser, ZNotificationList, ZPublish, ZRelease, ZReleaseList, ZReleaseListQuery, ZReleaseStats, ZRequestAccess, ZUpdateRelease } from "../schemas/release";
import { ZCreatedToken, ZCreateToken, ZToken, ZTokenList, ZTokenListQuery } from "../schemas/token";
import { ZConfirmEmail, ZEmailConfirmed, ZMailAccepted, ZMe, ZRegister, ZRegistered, ZSetupAdmin, ZSignInLinkRequest, ZUnlocked, ZUpdateSelf, ZUpdateUser, ZUser, ZUserList, ZUserListQuery } from "../schemas/user";
import { ZSessionList } from "../schemas/session";
import { ZCompareQuery, ZCompareResult, ZIngestResult, ZLogIngest, ZLogPage, ZLogQuery, ZMetricQuery, ZSeries } from "../schemas/metrics";
import { ZCreateRun, ZRun, ZRunList, ZRunListQuery, ZRunParams, ZRunSummary, ZTransition } from "../schemas/run";
import { UPLOAD_CHUNK_LIMIT, ZCheckpointList, ZClaim, ZClaimAnswer, ZHeartbeat, ZHeartbeatAnswer, ZRegisterWorker, ZUpdateWorker, ZWorker, ZWorkerList, ZWorkerRegistered, ZWorkerSamples } from "../schemas/worker";
import { defineContract } from "./contract";

const ZIngestBody = z.object({
  points: z.array(z.object({
    key: z.string().describe("metric name, at most 256 characters, no control characters (e.g. loss, sys/gpu0/util)"),
    step: z.union([z.number().int(), z.string()]).describe("int64; send values beyond 2^53 as strings"),
    value: z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])]),
    ts: z.union([z.number(), z.string()]).optional().describe("unix seconds or ISO 8601; default now"),
  })).max(10_000),
  epoch: z.number().int().optional().describe("the agent's lease epoch (409 when stale)"),
});

export const contracts = {
  health: defineContract({
    method: "GET", path: "/health", tag: "meta", auth: "public", summary: "Liveness and database check",
    response: z.object({ ok: z.boolean(), version: z.string() }),
  }),
  openapi: defineContract({
    method: "GET", path: "/openapi.json", tag: "meta", auth: "public", summary: "This API's OpenAPI 3.1 document",
    contentType: "application/json",
  }),
  register: defineContract({
    method: "POST", path: "/register", tag: "accounts", auth: "public", summary: "Create an account (clinician, or researcher pending an admin)",
    body: ZRegister, response: ZRegistered, status: 202, bodyLimit: 8 * 1024,
  }),
  setup: defineContract({
    method: "POST", path: "/setup", tag: "accounts", auth: "public", summary: "Create the first admin with the one-time setup link",
    body: ZSetupAdmin, response: ZUser, status: 201, bodyLimit: 8 * 1024,
  }),
  me: defineContract({
    method: "GET", path: "/me", tag: "accounts", auth: "user", permission: "profile:read", summary: "The calling user",
    response: ZMe,
  }),
  updateMe: defineContract({
    method: "PATCH", path: "/me", tag: "accounts", auth: "user", permission: "profile:write",
    summary: "Your settings: which notifications also come by email (only to a confirmed address)", body: ZUpdateSelf, response: ZMe, bodyLimit: 4 * 1024,
  }),
  requestEmailConfirmation: defineContract({
    method: "POST", path: "/me/email-confirmation", tag: "accounts", auth: "user", permission: "profile:write",
    summary: "Email yourself a link that confirms your address (when the server sends email; rate limited)", response: ZMailAccepted, status: 202,
  }),
  confirmEmail: defineContract({
    method: "POST", path: "/email-confirmations", tag: "accounts", auth: "public",
    summary: "Confirm an address with the one-time link mailed to it", body: ZConfirmEmail, response: ZEmailConfirmed, bodyLimit: 4 * 1024,
  }),
  requestSignInLink: defineContract({
    method: "POST", path: "/sign-in-links", tag: "accounts", auth: "public",
    summary: "Email a one-time sign-in link to an account's address (the same answer whether or not it has one; rate limited)",
    body: ZSignInLinkRequest, response: ZMailAccepted, status: 202, bodyLimit: 4 * 1024,
  }),
  listUsers: defineContract({
    method: "GET", path: "/users", tag: "accounts", auth: "user", permission: "user:read", summary: "List users",
    query: ZUserListQuery, response: ZUserList,
  }),
  updateUser: defineContract({
    method: "PATCH", path: "/users/{id}", tag: "accounts", auth: "user", permission: "user:manage",
    summary: "Change a user's role, disable or enable them, or decide their requested role",
    params: ZIdParams, body: ZUpdateUser, response: ZUser, bodyLimit: 4 * 1024,
  }),
  unlockUser: defineContract({
    method: "POST", path: "/users/{id}/unlock", tag: "accounts", auth: "user", permission: "user:manage",
    summary: "Let a locked-out user sign in again: forget the account's failed sign-ins (audited)", params: ZIdParams, response: ZUnlocked,
  }),
  listTokens: defineContract({
    method: "GET", path: "/tokens", tag: "tokens", auth: "user", permission: "token:read",
    summary: "Your API tokens (`all=true`: everyone's, for admins with the admin scope)", query: ZTokenListQuery, response: ZTokenList,
  }),
  createToken: defineContract({
    method: "POST", path: "/tokens", tag: "tokens", auth: "user", permission: "token:write",
    summary: "Create an API token; the secret is in this response only", body: ZCreateToken, response: ZCreatedToken,
    status: 201, bodyLimit: 4 * 1024,
  }),
  revokeToken: defineContract({
    method: "DELETE", path: "/tokens/{id}", tag: "tokens", auth: "user", permission: "token:write",
    summary: "Revoke an API token and every token minted from it (someone else's: admins with the admin scope)", params: ZIdParams, response: ZToken,
  }),
  listSessions: defineContract({
    method: "GET", path: "/sessions", tag: "accounts", auth: "user", permission: "session:read",
    summary: "Your signed-in browser sessions", response: ZSessionList,
  }),
  revokeSession: defineContract({
    method: "DELETE", path: "/sessions/{id}", tag: "accounts", auth: "user", permission: "session:write",
    summary: "Sign one of your sessions out", params: ZIdParams, response: z.object({ id: z.string(), revoked: z.literal(true) }),
  }),
  revokeAllSessions: defineContract({
    method: "DELETE", path: "/sessions", tag: "accounts", auth: "user", permission: "session:write",
    summary: "Sign out everywhere: every session of yours ends (the current one too)", response: z.object({ revoked: z.number() }),
  }),
  listDatasets: defineContract({
    method: "GET", path: "/datasets", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "The dataset catalog: public CT datasets and the team's own", query: ZDatasetListQuery, response: ZDatasetList,
  }),
  getDataset: defineContract({
    method: "GET", path: "/datasets/{id}", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "One dataset", params: ZIdParams, response: ZDataset,
  }),
  updateDataset: defineContract({
    method: "PATCH", path: "/datasets/{id}", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "Edit a dataset: catalog entries need catalog:write (admins), team datasets their owner; license changes are kept in its history",
    params: ZIdParams, body: ZUpdateDataset, response: ZDataset, bodyLimit: 16 * 1024,
  }),
  createDataset: defineContract({
    method: "POST", path: "/datasets", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "Create a team dataset (you own it)", body: ZCreateDataset, response: ZDataset, status: 201, bodyLimit: 16 * 1024,
  }),
  listVersions: defineContract({
    method: "GET", path: "/datasets/{id}/versions", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "A dataset's versions (published ones only, for clinicians)", params: ZIdParams, response: ZVersionList,
  }),
  createVersion: defineContract({
    method: "POST", path: "/datasets/{id}/versions", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "Create a draft version of a team dataset you own, or of a catalog dataset you hold locally",
    params: ZIdParams, body: ZCreateVersion, response: ZVersion, status: 201, bodyLimit: 16 * 1024,
  }),
  datasetRoots: defineContract({
    method: "GET", path: "/dataset-roots", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "The server folders files may be registered from (DATASET_ROOTS)", response: ZRoots,
  }),
  getVersion: defineContract({
    method: "GET", path: "/dataset-versions/{id}", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "A dataset version: counts, size, ingestion progress", params: ZIdParams, response: ZVersion,
  }),
  registerFolder: defineContract({
    method: "POST", path: "/dataset-versions/{id}/folders", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "Index every NIfTI and DICOM file under a server folder (inside an allowed root) into this draft version, in the background",
    params: ZIdParams, body: ZRegisterFolder, response: ZIngestJob, status: 202, bodyLimit: 8 * 1024,
  }),
  publishVersion: defineContract({
    method: "POST", path: "/dataset-versions/{id}/publish", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "Publish a draft version once its files are indexed; it never changes afterwards", params: ZIdParams, response: ZVersion,
  }),
  cancelIngest: defineContract({
    method: "POST", path: "/dataset-versions/{id}/jobs/{job}/cancel", tag: "datasets", auth: "user", permission: "dataset:write",
    summary: "Stop an ingestion; volumes already indexed stay", params: z.strictObject({ id: ZId, job: ZId }), response: ZVersion,
  }),
  listScans: defineContract({
    method: "GET", path: "/dataset-versions/{id}/scans", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "A version's volumes with geometry and HU statistics (patient identifiers only for staff)",
    params: ZIdParams, query: ZScanQuery, response: ZScanPage,
  }),
  versionStats: defineContract({
    method: "GET", path: "/dataset-versions/{id}/stats", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "Distributions over a version's volumes: spacing, slices, matrix, HU, scanners, kernels, body parts", params: ZIdParams, response: ZVersionStats,
  }),
  versionDuplicates: defineContract({
    method: "GET", path: "/dataset-versions/{id}/duplicates", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "The same voxels twice (any format), and DICOM patients or studies shared, within the version and with other datasets",
    params: ZIdParams, response: ZDuplicates,
  }),
  versionManifest: defineContract({
    method: "GET", path: "/dataset-versions/{id}/manifest", tag: "datasets", auth: "user", permission: "dataset:inspect",
    summary: "A published version's manifest in the trainer's format (JSON) or as CSV: location, sha256, geometry, reports",
    params: ZIdParams, query: ZManifestQuery, contentType: "application/json",
  }),
  scanPreview: defineContract({
    method: "GET", path: "/scans/{id}/preview", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "A mid-plane of a volume in a CT window, as PNG (radiological orientation, square pixels)", params: ZIdParams, query: ZPreviewQuery,
    contentType: "image/png",
  }),
  scanVolume: defineContract({
    method: "GET", path: "/scans/{id}/volume", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "The volume as a clean NIfTI-1 (.nii.gz): HU values, the indexed affine, no header text or extensions; DICOM series converted",
    params: ZIdParams, contentType: "application/gzip",
  }),
  listProblems: defineContract({
    method: "GET", path: "/dataset-versions/{id}/problems", tag: "datasets", auth: "user", permission: "dataset:inspect",
    summary: "Files that could not be indexed, each with its reason", params: ZIdParams, response: ZFileProblemPage,
  }),
  listReleases: defineContract({
    // Open to visitors when the server lists releases to them (PUBLIC_RELEASES=index); the service decides.
    method: "GET", path: "/releases", tag: "releases", auth: "optional",
    summary: "Releases you may see (drafts: yours; PRIVATE: those you are named on), each with your access", query: ZReleaseListQuery, response: ZReleaseList,
  }),
  createRelease: defineContract({
    method: "POST", path: "/releases", tag: "releases", auth: "user", permission: "release:write",
    summary: "A draft release from a checkpoint of your run: its weights, config, preprocessing contract, fine-tune starter and a model card",
    body: ZCreateRelease, response: ZRelease, status: 201, bodyLimit: 64 * 1024,
  }),
  getRelease: defineContract({
    method: "GET", path: "/releases/{id}", tag: "releases", auth: "optional",
    summary: "One release: card, files with sha256, input contract, lineage, your access", params: ZIdParams, response: ZRelease,
  }),
  updateRelease: defineContract({
    method: "PATCH", path: "/releases/{id}", tag: "releases", auth: "user", permission: "release:write",
    summary: "Edit a release: card and license while a draft; policy, terms (a new terms version), approval rules and request questions any time",
    params: ZIdParams, body: ZUpdateRelease, response: ZRelease, bodyLimit: 256 * 1024,
  }),
  publishRelease: defineContract({
    method: "POST", path: "/releases/{id}/publish", tag: "releases", auth: "user", permission: "release:write",
    summary: "Publish a draft once its license fits the training data (admins may override with a reason)", params: ZIdParams, body: ZPublish, response: ZRelease, bodyLimit: 8 * 1024,
  }),
  deprecateRelease: defineContract({
    method: "POST", path: "/releases/{id}/deprecate", tag: "releases", auth: "user", permission: "release:write",
    summary: "Mark a published release deprecated (it stays downloadable to those with access)", params: ZIdParams, body: ZDeprecate, response: ZRelease, bodyLimit: 8 * 1024,
  }),
  acceptTerms: defineContract({
    method: "POST", path: "/releases/{id}/terms", tag: "releases", auth: "user", permission: "access:request",
    summary: "Accept the release's current terms (needed before downloading)", params: ZIdParams, body: ZAcceptTerms, response: ZRelease, bodyLimit: 4 * 1024,
  }),
  requestAccess: defineContract({
    method: "POST", path: "/releases/{id}/requests", tag: "releases", auth: "user", permission: "access:request",
    summary: "Ask for access to a GATED release (approved at once when its rules say so)", params: ZIdParams, body: ZRequestAccess, response: ZAccessRequest, status: 201, bodyLimit: 32 * 1024,
  }),
  grantUser: defineContract({
    method: "POST", path: "/releases/{id}/grants", tag: "releases", auth: "user", permission: "release:write",
    summary: "Name a user on a release (PRIVATE releases), optionally for a number of days", params: ZIdParams, body: ZGrantUser, response: z.object({ id: z.string() }), status: 201, bodyLimit: 4 * 1024,
  }),
  downloadReleaseFile: defineContract({
    method: "GET", path: "/releases/{id}/files/{path}", tag: "releases", auth: "user", permission: "release:download",
    summary: "One file of a release (Range requests resume); every download is recorded",
    params: z.strictObject({ id: ZId, path: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a file name of the release") }),
    contentType: "application/octet-stream",
  }),
  releaseStats: defineContract({
    method: "GET", path: "/releases/{id}/stats", tag: "releases", auth: "user", permission: "release:write",
    summary: "Downloads of the weights per day (90 days) and in all: the release's maker and admins", params: ZIdParams, response: ZReleaseStats,
  }),
  createDownloadLink: defineContract({
    method: "POST", path: "/releases/{id}/files/{path}/link", tag: "releases", auth: "user", permission: "release:download",
    summary: "A link to one file that works without a token for 5 minutes (your access is checked again when it is used)",
    params: z.strictObject({ id: ZId, path: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a file name of the release") }),
    response: z.object({ url: z.string(), expiresAt: z.string() }),
  }),
  downloadByLink: defineContract({
    method: "GET", path: "/downloads/{token}", tag: "releases", auth: "public",
    summary: "Download through a signed link (Range requests resume); tampered links are refused, expired ones answer 410",
    params: z.strictObject({ token: z.string().max(2200) }), contentType: "application/octet-stream",
  }),
  listAccessRequests: defineContract({
    method: "GET", path: "/access-requests", tag: "releases", auth: "user", permission: "access:request",
    summary: "The review queue (admins), or your own requests", query: ZAccessQuery, response: ZAccessRequestList,
  }),
  decideAccessRequests: defineContract({
    method: "POST", path: "/access-requests/decisions", tag: "releases", auth: "user", permission: "access:decide",
    summary: "Approve or deny requests, one or many, with a reason and an optional expiry", body: ZDecide, response: ZDecided, bodyLimit: 32 * 1024,
  }),
  revokeGrant: defineContract({
    method: "DELETE", path: "/access-grants/{id}", tag: "releases", auth: "user", permission: "access:decide",
    summary: "Revoke a grant: the next download is refused", params: ZIdParams, response: z.object({ ok: z.literal(true) }),
  }),
  listNotifications: defineContract({
    method: "GET", path: "/notifications", tag: "accounts", auth: "user", permission: "profile:read",
    summary: "Your in-app notifications, newest first", response: ZNotificationList,
  }),
  readNotifications: defineContract({
    method: "POST", path: "/notifications/read", tag: "accounts", auth: "user", permission: "notification:write",
    summary: "Mark your notifications read", response: z.object({ ok: z.literal(true) }),
  }),
  listAuditEvents: defineContract({
    method: "GET", path: "/audit-events", tag: "admin", auth: "user", permission: "audit:read",
    summary: "The audit log, newest first", query: ZAuditQuery, response: ZAuditPage,
  }),
  presets: defineContract({
    method: "GET", path: "/presets", tag: "runs", auth: "user", permission: "run:read",
    summary: "Model presets and the JSON schema of each one's hyperparameters",
    response: z.object({ presets: z.array(z.object({ name: z.string(), label: z.string(), crop: z.array(z.number()), patch: z.array(z.number()), params: z.string(), hyperparameters: z.unknown() })) }),
  }),
  listRuns: defineContract({
    method: "GET", path: "/runs", tag: "runs", auth: "user", permission: "run:read",
    summary: "Runs, filtered and sorted on the server, keyset-paged", query: ZRunListQuery, response: ZRunList,
  }),
  createRun: defineContract({
    method: "POST", path: "/runs", tag: "runs", auth: "user", permission: "run:write",
    summary: "Queue a training run", body: ZCreateRun, response: ZRun, status: 201, bodyLimit: 64 * 1024,
  }),
  getRun: defineContract({
    method: "GET", path: "/runs/{id}", tag: "runs", auth: "user", permission: "run:read",
    summary: "A run with its status timeline and metric keys", params: ZRunParams, response: ZRun,
  }),
  deleteRun: defineContract({
    method: "DELETE", path: "/runs/{id}", tag: "runs", auth: "user", permission: "run:write",
    summary: "Delete a finished run and all its data (owner or admin, runs:write)", params: ZRunParams,
    response: z.object({ id: z.string(), deleted: z.literal(true) }),
  }),
  cancelRun: defineContract({
    method: "POST", path: "/runs/{id}/cancel", tag: "runs", auth: "user", permission: "run:write",
    summary: "Cancel a run (owner or admin, runs:write)", params: ZRunParams, response: ZRunSummary,
  }),
  archiveRun: defineContract({
    method: "POST", path: "/runs/{id}/archive", tag: "runs", auth: "user", permission: "run:write",
    summary: "Archive a run: hidden from the list unless archived=true", params: ZRunParams, response: ZRunSummary,
  }),
  unarchiveRun: defineContract({
    method: "POST", path: "/runs/{id}/unarchive", tag: "runs", auth: "user", permission: "run:write",
    summary: "Bring an archived run back into the list", params: ZRunParams, response: ZRunSummary,
  }),
  transitionRun: defineContract({
    method: "POST", path: "/runs/{id}/transitions", tag: "runs", auth: "user", permission: "run:report",
    summary: "Change a run's status (agents pass their lease epoch); illegal transitions answer 409",
    params: ZRunParams, body: ZTransition, response: ZRunSummary, bodyLimit: 8 * 1024,
  }),
  ingestMetrics: defineContract({
    method: "POST", path: "/runs/{id}/metrics", tag: "metrics", auth: "user", permission: "run:report",
    summary: "Log up to 10,000 points (JSON or NDJSON, gzip accepted); idempotent on (key, step), all or nothing",
    params: ZRunParams, rawBody: { contentTypes: ["application/json", "application/x-ndjson"], schema: ZIngestBody },
    response: ZIngestResult, bodyLimit: 8 * 1024 * 1024,
  }),
  readMetric: defineContract({
    method: "GET", path: "/runs/{id}/metrics", tag: "metrics", auth: "user", permission: "run:read",
    summary: "One series downsampled to at most 4 points per pixel column (M4: no extreme is lost)",
    params: ZRunParams, query: ZMetricQuery, response: ZSeries,
  }),
  compareMetrics: defineContract({
    method: "POST", path: "/metrics/query", tag: "metrics", auth: "user", permission: "run:read",
    summary: "Many runs' series in one request (the compare view)", body: ZCompareQuery, response: ZCompareResult, bodyLimit: 64 * 1024,
  }),
  appendLogs: defineContract({
    method: "POST", path: "/runs/{id}/logs", tag: "runs", auth: "user", permission: "run:report",
    summary: "Append log chunks; idempotent on seq", params: ZRunParams, body: ZLogIngest,
    response: z.object({ accepted: z.number(), inserted: z.number() }), bodyLimit: 4 * 1024 * 1024,
  }),
  readLogs: defineContract({
    method: "GET", path: "/runs/{id}/logs", tag: "runs", auth: "user", permission: "run:read",
    summary: "Log lines after a sequence number, optionally filtered by text", params: ZRunParams, query: ZLogQuery, response: ZLogPage,
  }),
  listWorkers: defineContract({
    method: "GET", path: "/workers", tag: "workers", auth: "user", permission: "worker:read",
    summary: "Attached workers with their status, GPUs, latest GPU samples and current runs",
    query: z.strictObject({ removed: z.enum(["true", "false"]).default("false") }), response: ZWorkerList,
  }),
  registerWorker: defineContract({
    method: "POST", path: "/workers", tag: "workers", auth: "user", permission: "worker:connect",
    summary: "An agent registers its machine (worker token); registering again with the same token updates the same worker",
    body: ZRegisterWorker, response: ZWorkerRegistered, bodyLimit: 64 * 1024,
  }),
  getWorker: defineContract({
    method: "GET", path: "/workers/{id}", tag: "workers", auth: "user", permission: "worker:read",
    summary: "One worker", params: ZIdParams, response: ZWorker,
  }),
  updateWorker: defineContract({
    method: "PATCH", path: "/workers/{id}", tag: "workers", auth: "user", permission: "worker:manage",
    summary: "Drain a worker (it finishes its runs and claims no new one) or undrain it", params: ZIdParams, body: ZUpdateWorker,
    response: ZWorker, bodyLimit: 1024,
  }),
  removeWorker: defineContract({
    method: "DELETE", path: "/workers/{id}", tag: "workers", auth: "user", permission: "worker:manage",
    summary: "Remove a worker and revoke its token; its runs are requeued when their leases expire", params: ZIdParams,
    response: z.object({ id: z.string(), removed: z.literal(true) }),
  }),
  heartbeat: defineContract({
    method: "POST", path: "/workers/{id}/heartbeat", tag: "workers", auth: "user", permission: "worker:connect",
    summary: "The agent's heartbeat: GPU samples in, lease renewals and stop orders out", params: ZIdParams, body: ZHeartbeat,
    response: ZHeartbeatAnswer, bodyLimit: 64 * 1024,
  }),
  claimRun: defineContract({
    method: "POST", path: "/workers/{id}/claim", tag: "workers", auth: "user", permission: "worker:connect",
    summary: "Take the oldest queued run that fits this worker's free GPUs (run: null when none)", params: ZIdParams, body: ZClaim,
    response: ZClaimAnswer, bodyLimit: 1024,
  }),
  createUpload: defineContract({
    method: "POST", path: "/uploads", tag: "checkpoints", auth: "user", permission: "run:report",
    summary: "Start a resumable checkpoint upload (tus 1.0: Upload-Length, Upload-Metadata runId, epoch, step, sha256); the run's lease holder only",
    rawBody: { contentTypes: ["application/offset+octet-stream"], schema: z.object({}).describe("no body, or the first bytes (creation-with-upload)") },
    status: 201, bodyLimit: UPLOAD_CHUNK_LIMIT,
  }),
  patchUpload: defineContract({
    method: "PATCH", path: "/uploads/{id}", tag: "checkpoints", auth: "user", permission: "run:report",
    summary: "Send bytes of an upload at Upload-Offset (HEAD tells the offset to resume from); the last one checks the sha256",
    params: ZIdParams, rawBody: { contentTypes: ["application/offset+octet-stream"], schema: z.object({}).describe("raw bytes") },
    status: 204, bodyLimit: UPLOAD_CHUNK_LIMIT,
  }),
  listCheckpoints: defineContract({
    method: "GET", path: "/runs/{id}/checkpoints", tag: "checkpoints", auth: "user", permission: "checkpoint:read",
    summary: "A run's stored checkpoints", params: ZRunParams, response: ZCheckpointList,
  }),
  downloadCheckpoint: defineContract({
    method: "GET", path: "/runs/{id}/checkpoints/{step}", tag: "checkpoints", auth: "user", permission: "checkpoint:download",
    summary: "One checkpoint as a tar archive (Range requests resume a download; HEAD gives the headers only); its sha256 is in the ETag and Digest headers. The run's owner, admins and the worker holding its lease only: it holds the weights of every release made from it",
    params: z.strictObject({ id: ZRunParams.shape.id, step: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
    contentType: "application/x-tar",
  }),
  downloadRunVolume: defineContract({
    method: "GET", path: "/runs/{id}/volumes/{sha256}", tag: "datasets", auth: "user", permission: "run:data",
    summary: "A NIfTI volume of the run's dataset mix, by sha256, for the worker leasing the run (Range requests resume)",
    params: z.strictObject({ id: ZRunParams.shape.id, sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits") }),
    contentType: "application/octet-stream",
  }),
  workerSamples: defineContract({
    method: "GET", path: "/workers/{id}/samples", tag: "workers", auth: "user", permission: "worker:read",
    summary: "The last hour of a worker's per-GPU utilization and memory", params: ZIdParams, response: ZWorkerSamples,
  }),
} as const;

