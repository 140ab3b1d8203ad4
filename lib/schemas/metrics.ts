import { z } from "zod";
import { ZId } from "./common";

export const MAX_BATCH_POINTS = 10_000;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Keys: printable, no control characters, at most 256 characters (e.g. `loss`, `sys/gpu0/util`). */
export const ZMetricKey = z
  .string()
  .min(1, "empty key")
  .max(256, "at most 256 characters")
  .refine((k) => !/[\u0000-\u001f\u007f]/.test(k), "control characters are not allowed");

export const ZX = z.enum(["step", "time", "relative"]);

// Beyond ±8.64e15 a millisecond time is no Date; steps that far out don't exist either.
const ZBound = z.coerce.number().min(-8.64e15).max(8.64e15);

export const ZMetricQuery = z.strictObject({
  key: ZMetricKey,
  x: ZX.default("step"),
  from: ZBound.optional(),
  to: ZBound.optional(),
  width: z.coerce.number().int().min(10).max(8000).default(1000),
});

/** One request reads at most this many pixel columns over all its series (e.g. 20 runs at 2,000 px): the work
 * and the answer grow with it. */
export const MAX_COMPARE_COLUMNS = 40_000;

export const ZCompareQuery = z
  .strictObject({
    series: z.array(z.strictObject({ runId: ZId, key: ZMetricKey })).min(1).max(200),
    x: ZX.default("step"),
    from: ZBound.optional(),
    to: ZBound.optional(),
    width: z.number().int().min(10).max(8000).default(1000),
  })
  .refine((q) => new Set(q.series.map((s) => `${s.runId}\u0000${s.key}`)).size * q.width <= MAX_COMPARE_COLUMNS, {
    path: ["width"],
    message: `series × width may be at most ${MAX_COMPARE_COLUMNS}`,
  });

/**
 * One downsampled series. `points` follow the M4 method: per pixel column the first, last, minimum and maximum
 * point, in x order, so no extreme is lost. `y` is null where the value is NaN or ±Infinity; those points are
 * listed in `nonFinite`. `band` gives each column's min and max for drawing the raw range behind the line.
 */
export const ZSeries = z.object({
  runId: z.string(),
  key: z.string(),
  x: ZX,
  /** Extent of the whole series on this x axis (null when it has no points). */
  extent: z.object({ from: z.number(), to: z.number() }).nullable(),
  rawPoints: z.number().describe("raw points inside the requested range"),
  pointsPerPixel: z.number(),
  exact: z.boolean().describe("true when every raw point in range is returned"),
  points: z.object({ x: z.array(z.number()), step: z.array(z.number()), y: z.array(z.number().nullable()) }),
  band: z.object({ x0: z.array(z.number()), x1: z.array(z.number()), min: z.array(z.number().nullable()), max: z.array(z.number().nullable()) }),
  nonFinite: z.object({ x: z.array(z.number()), step: z.array(z.number()), kind: z.array(z.enum(["nan", "inf", "-inf"])) }),
});

export const ZCompareResult = z.object({ series: z.array(ZSeries) });

export const ZIngestResult = z.object({ accepted: z.number(), inserted: z.number(), updated: z.number(), unchanged: z.number() });

const INT32_MAX = 2 ** 31 - 1;
/** Processes do print NUL bytes, which PostgreSQL text can't hold: they are kept visible as ␀ (U+2400). */
const ZLogText = z.string().max(1_000_000).transform((t) => (t.includes("\u0000") ? t.replaceAll("\u0000", "\u2400") : t));
export const ZLogChunk = z.strictObject({ seq: z.number().int().min(0).max(INT32_MAX), text: ZLogText, stream: z.enum(["stdout", "stderr"]).default("stdout") });
export const ZLogIngest = z.strictObject({ chunks: z.array(ZLogChunk).min(1).max(1000), epoch: z.number().int().min(0).optional() });
export const ZLogQuery = z.strictObject({
  after: z.coerce.number().int().min(-1).max(INT32_MAX).default(-1),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const ZLogPage = z.object({ lines: z.array(z.object({ seq: z.number(), text: z.string(), at: z.string() })), last: z.number() });
