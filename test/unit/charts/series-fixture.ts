import type { Series } from "@/lib/charts/prepare-series";

type Point = [x: number, y: number | null];

/** A series as the API returns it: `exact` when no band is given; NaN/Inf points are listed in nonFinite. */
export function series(points: Point[], opts: Partial<Pick<Series, "exact" | "pointsPerPixel" | "band" | "runId" | "key">> & { nonFinite?: [number, "nan" | "inf" | "-inf"][] } = {}): Series {
  const nonFinite = opts.nonFinite ?? [];
  const xs = points.map((p) => p[0]);
  return {
    runId: opts.runId ?? "r1",
    key: opts.key ?? "loss",
    x: "step",
    extent: xs.length ? { from: Math.min(...xs), to: Math.max(...xs) } : null,
    rawPoints: points.length,
    pointsPerPixel: opts.pointsPerPixel ?? 1,
    exact: opts.exact ?? opts.band === undefined,
    points: { x: xs, step: xs, y: points.map((p) => p[1]) },
    band: opts.band ?? { x0: [], x1: [], min: [], max: [] },
    nonFinite: { x: nonFinite.map((n) => n[0]), step: nonFinite.map((n) => n[0]), kind: nonFinite.map((n) => n[1]) },
  };
}
