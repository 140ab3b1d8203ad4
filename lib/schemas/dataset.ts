import { z } from "zod";
import { ZId } from "./common";

export const ZDataset = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  host: z.string(),
  ctVolumes: z.number().int().nullable(),
  reports: z.string(),
  bodyRegion: z.string(),
  format: z.string(),
  license: z.string(),
  commercialUse: z.enum(["YES", "NO", "UNKNOWN"]),
  redistribution: z.string(),
  shareAlike: z.boolean(),
  gated: z.boolean(),
  access: z.string(),
  notes: z.string(),
  verified: z.enum(["YES", "PARTLY", "NO"]).describe("NO/PARTLY: some fields could not be confirmed from a primary source"),
  catalog: z.boolean(),
  published: z.array(z.object({ id: z.string(), version: z.string(), scans: z.number().int(), publishedAt: z.string().nullable() })).optional()
    .describe("published versions, newest first (with trainable=true)"),
});

export const ZDatasetList = z.object({ datasets: z.array(ZDataset) });
export const ZDatasetListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  commercial: z.enum(["YES", "NO", "UNKNOWN"]).optional(),
  verified: z.enum(["YES", "PARTLY", "NO"]).optional(),
  trainable: z.enum(["true", "false"]).transform((v) => v === "true").optional().describe("only datasets with a published version (something to train on), with those versions"),
});

const ZText = (max: number) => z.string().trim().max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, "no control characters");

export const ZCreateDataset = z.strictObject({
  name: ZText(200).min(1),
  slug: z.string().min(2).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes").optional(),
  description: ZText(5000).default(""),
  license: ZText(200).min(1).describe("e.g. CC BY 4.0, or 'internal: no redistribution'"),
  commercialUse: z.enum(["YES", "NO", "UNKNOWN"]).default("UNKNOWN"),
  shareAlike: z.boolean().default(false),
  redistribution: ZText(200).default("no"),
  gated: z.boolean().default(true).describe("a registration or data-use agreement is needed"),
  bodyRegion: ZText(200).default(""),
});

export const ZCreateVersion = z.strictObject({
  version: z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, dots, dashes"),
  description: ZText(5000).default(""),
});

export const ZRegisterFolder = z.strictObject({
  root: z.string().min(1).max(1024).describe("one of the server's allowed roots (GET /dataset-roots)"),
  folder: z.string().max(1024).default("").describe("a folder under that root, relative to it"),
});

export const ZIngestJob = z.object({
  id: z.string(),
  source: z.string(),
  folder: z.string().nullable(),
  status: z.enum(["QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED"]),
  listed: z.boolean(),
  totalFiles: z.number().int(),
  doneFiles: z.number().int(),
  failedFiles: z.number().int(),
  totalBytes: z.number(),
  doneBytes: z.number(),
  etaSeconds: z.number().nullable().describe("from the rate so far; null before any file is done"),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const ZVersion = z.object({
  id: z.string(),
  datasetId: z.string(),
  datasetSlug: z.string(),
  datasetName: z.string(),
  version: z.string(),
  description: z.string(),
  status: z.enum(["DRAFT", "PUBLISHED"]),
  createdBy: z.string().describe("email of the creator"),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  scans: z.number().int(),
  bytes: z.number(),
  reports: z.number().int(),
  failedFiles: z.number().int(),
  jobs: z.array(ZIngestJob),
  uploads: z.array(z.object({ name: z.string(), bytes: z.number(), received: z.number() })).describe("uploads begun and not finished (staff only)"),
});
export const ZVersionList = z.object({ versions: z.array(ZVersion) });

export const ZScan = z.object({
  id: z.string(),
  name: z.string().describe("the file name, or the series' first slice for DICOM (staff); a neutral name for clinicians, since file names can identify patients"),
  format: z.string(),
  files: z.number().int(),
  sha256: z.string(),
  voxelHash: z.string().nullable(),
  bytes: z.number(),
  dims: z.array(z.number().int()),
  spacing: z.array(z.number()),
  orientation: z.string(),
  affine: z.array(z.array(z.number())).describe("voxel index → RAS mm, 4×4 row-major"),
  datatype: z.string(),
  huMin: z.number().nullable(),
  huMax: z.number().nullable(),
  huP1: z.number().nullable(),
  huP99: z.number().nullable(),
  looksLikeHu: z.boolean(),
  warnings: z.array(z.string()),
  tags: z.record(z.string(), z.unknown()).nullable(),
  deidentified: z.boolean().nullable(),
  hasReport: z.boolean(),
  reportFlags: z.array(z.string()),
  patientId: z.string().nullable().optional().describe("DICOM; absent for clinicians"),
  studyUid: z.string().nullable().optional().describe("DICOM; absent for clinicians"),
});
export const ZScanPage = z.object({ scans: z.array(ZScan), nextCursor: z.string().nullable() });
export const ZScanQuery = z.strictObject({ cursor: ZId.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

export const ZFileProblem = z.object({ name: z.string(), code: z.string(), error: z.string() });
export const ZFileProblemPage = z.object({ problems: z.array(ZFileProblem), total: z.number().int() });

export const ZRoots = z.object({ roots: z.array(z.string()) });

const ZBins = z.array(z.object({ label: z.string(), count: z.number() }));
export const ZVersionStats = z.object({
  volumes: z.number().int(),
  bytes: z.number(),
  notHu: z.number().int().describe("volumes whose values don't look like Hounsfield units"),
  inPlaneSpacing: ZBins,
  sliceSpacing: ZBins,
  slices: ZBins,
  matrix: ZBins,
  hu: ZBins.describe("voxel counts over all volumes in 64-HU bins"),
  format: ZBins,
  orientation: ZBins,
  manufacturer: ZBins,
  model: ZBins,
  kernel: ZBins,
  bodyPart: ZBins,
});

const ZDupScan = z.object({ id: z.string(), name: z.string(), dataset: z.string(), version: z.string(), versionId: z.string() });
const ZDupGroup = z.object({
  kind: z.enum(["voxels", "patient", "study"]),
  key: z.string().nullable().describe("a voxel hash prefix; patient and study identifiers for staff only"),
  scans: z.array(ZDupScan),
});
export const ZDuplicates = z.object({ withinVersion: z.array(ZDupGroup), acrossDatasets: z.array(ZDupGroup) });

export const ZManifestQuery = z.strictObject({ format: z.enum(["json", "csv"]).default("json") });

export const ZPreviewQuery = z.strictObject({
  plane: z.enum(["axial", "coronal", "sagittal"]).default("axial"),
  window: z.enum(["lung", "soft", "bone"]).default("soft").describe("lung W1500/L-600, soft tissue W400/L40, bone W1800/L400"),
});

export const ZUpdateDataset = z.strictObject({
  name: ZText(200).min(1).optional(),
  host: ZText(200).optional(),
  ctVolumes: z.number().int().min(0).max(1e9).nullable().optional(),
  reports: ZText(200).optional(),
  bodyRegion: ZText(200).optional(),
  format: ZText(100).optional(),
  license: ZText(200).min(1).optional(),
  commercialUse: z.enum(["YES", "NO", "UNKNOWN"]).optional(),
  redistribution: ZText(200).optional(),
  shareAlike: z.boolean().optional(),
  gated: z.boolean().optional(),
  access: ZText(200).optional(),
  notes: ZText(2000).optional(),
  description: ZText(5000).optional(),
  verified: z.enum(["YES", "PARTLY", "NO"]).optional(),
  licenseNote: ZText(500).optional().describe("why the license terms changed (kept in the license history)"),
});
