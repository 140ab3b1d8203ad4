import { z } from "zod";
import { ZId } from "./common";

const ZText = (max: number) => z.string().trim().max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, "no control characters");

export const ZReleaseName = z.string().min(2).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' and '-'");
export const ZSemver = z.string().max(64).regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "a semantic version such as 1.0.0");
export const ZPolicy = z.enum(["OPEN", "GATED", "PRIVATE"]);

export const ZCreateRelease = z.strictObject({
  runId: ZId,
  step: z.number().int().min(0).describe("the checkpoint step to release"),
  name: ZReleaseName,
  version: ZSemver,
  license: ZText(200).min(1),
  policy: ZPolicy.default("GATED"),
  description: ZText(5000).default(""),
  terms: ZText(20_000).default("").describe("what people accept before downloading"),
});

export const ZUpdateRelease = z.strictObject({
  card: ZText(200_000).optional().describe("the model card (README.md, Markdown with YAML front matter)"),
  description: ZText(5000).optional(),
  license: ZText(200).min(1).optional(),
  policy: ZPolicy.optional(),
  terms: ZText(20_000).optional().describe("changing the terms of a published release starts a new terms version"),
  autoApprove: z.strictObject({ roles: z.array(z.enum(["ADMIN", "RESEARCHER", "CLINICIAN"])).max(3).default([]), domains: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "a domain like example.org")).max(50).default([]) }).optional(),
  requestFields: z.array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), label: ZText(200).min(1), required: z.boolean().default(false) })).max(20).optional(),
});

export const ZPublish = z.strictObject({
  licenseOverride: ZText(1000).optional().describe("admins only: why a license the training mix doesn't allow is acceptable"),
});

export const ZReleaseListQuery = z.object({ runId: ZId.optional().describe("only releases made from this run's checkpoints") });

export const ZDeprecate = z.strictObject({ note: ZText(1000).min(1) });

export const ZReleaseFile = z.object({ path: z.string(), kind: z.string(), bytes: z.number(), sha256: z.string() });

export const ZRelease = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  status: z.enum(["DRAFT", "PUBLISHED"]),
  policy: ZPolicy,
  license: z.string(),
  licenseOverride: z.string().nullable(),
  description: z.string(),
  card: z.string(),
  terms: z.string(),
  termsVersion: z.string(),
  inputContract: z.unknown(),
  deprecatedAt: z.string().nullable(),
  deprecationNote: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  runId: z.string().nullable(),
  checkpointStep: z.number().nullable(),
  datasets: z.array(z.object({ dataset: z.string(), name: z.string(), version: z.string().nullable(), versionId: z.string().nullable(), license: z.string() })),
  files: z.array(ZReleaseFile),
  starter: z.object({ version: z.string(), sha256: z.string() }).nullable().describe("the server's own finetune_starter.py this release carries (never a checkpoint's): the server version it came with and its sha256; null for releases made before"),
  access: z.object({
    canDownload: z.boolean(),
    grant: z.enum(["none", "active", "expired", "revoked"]),
    request: z.enum(["none", "PENDING", "APPROVED", "DENIED", "WITHDRAWN"]),
    termsAccepted: z.boolean(),
  }).describe("the caller's standing"),
  requestFields: z.array(z.object({ name: z.string(), label: z.string(), required: z.boolean() })),
  downloads: z.number().int().describe("weights downloads of this version"),
  canManage: z.boolean().describe("the caller may edit, publish and share it"),
  autoApprove: z.object({ roles: z.array(z.string()), domains: z.array(z.string()) }).nullable()
    .describe("for those who manage it: the rules that approve access requests at once (domains only for confirmed addresses)"),
});
export const ZReleaseList = z.object({ releases: z.array(ZRelease.omit({ card: true, terms: true, inputContract: true })) });

export const ZRequestAccess = z.strictObject({
  institution: ZText(200).min(1),
  role: ZText(100).min(1).describe("your role at the institution"),
  intendedUse: ZText(5000).min(10),
  acceptTerms: z.literal(true, { error: "accept the release's terms to ask for access" }),
  termsVersion: z.string().max(20).describe("the terms version you accept (GET the release)"),
  answers: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), ZText(2000)).default({}),
});

export const ZAccessRequest = z.object({
  id: z.string(),
  releaseId: z.string(),
  release: z.string().describe("name@version"),
  user: z.string().describe("email"),
  status: z.enum(["PENDING", "APPROVED", "DENIED", "WITHDRAWN"]),
  answers: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  grant: z.object({ id: z.string(), expiresAt: z.string().nullable(), revokedAt: z.string().nullable() }).nullable(),
});
export const ZAccessRequestList = z.object({ requests: z.array(ZAccessRequest) });
export const ZAccessQuery = z.strictObject({ status: z.enum(["PENDING", "APPROVED", "DENIED", "WITHDRAWN"]).optional(), mine: z.enum(["true", "false"]).optional() });

export const ZDecide = z.strictObject({
  ids: z.array(ZId).min(1).max(200).describe("one request, or many at once"),
  approve: z.boolean(),
  reason: ZText(1000).default(""),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe("approved access ends after this many days"),
});
export const ZDecided = z.object({ decided: z.number().int() });

export const ZGrantUser = z.strictObject({ email: z.string().email().max(254), expiresInDays: z.number().int().min(1).max(3650).optional() });
export const ZAcceptTerms = z.strictObject({ termsVersion: z.string().max(20) });

export const ZNotification = z.object({ id: z.string(), kind: z.string(), text: z.string(), link: z.string(), read: z.boolean(), createdAt: z.string() });
export const ZNotificationList = z.object({ notifications: z.array(ZNotification), unread: z.number().int() });

export const ZReleaseStats = z.object({
  total: z.number().int().describe("downloads of the weights from their first byte"),
  people: z.number().int(),
  days: z.array(z.object({ day: z.string(), downloads: z.number().int(), people: z.number().int() })),
});
