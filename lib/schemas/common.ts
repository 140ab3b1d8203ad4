import { z } from "zod";

export const ZId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "not a valid id");
export const ZIdParams = z.strictObject({ id: ZId });

export const ZProblem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const ZLimit = z.coerce.number().int().min(1).max(200).default(50);

export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "not a valid email address" }));

export const ZOk = z.object({ ok: z.literal(true) });
