import { z } from "zod";
import { ZLimit } from "./common";

export const ZAuditQuery = z.strictObject({
  action: z.string().max(100).optional(),
  actor: z.string().max(254).optional(),
  target: z.string().max(100).optional(),
  /** Keyset paging: the id of the last event of the previous page. */
  before: z
    .string()
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n, "an event id from nextBefore")
    .transform((v) => BigInt(v))
    .optional(),
  limit: ZLimit,
});

export const ZAuditEvent = z.object({
  id: z.string(),
  actorType: z.string(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.unknown().nullable(),
  createdAt: z.string(),
});

export const ZAuditPage = z.object({ events: z.array(ZAuditEvent), nextBefore: z.string().nullable() });
