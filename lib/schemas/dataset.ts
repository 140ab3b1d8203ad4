import { z } from "zod";

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
});

export const ZDatasetList = z.object({ datasets: z.array(ZDataset) });
export const ZDatasetListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  commercial: z.enum(["YES", "NO", "UNKNOWN"]).optional(),
  verified: z.enum(["YES", "PARTLY", "NO"]).optional(),
});
