import { describe, expect, it } from "vitest";
import { ariaLabelFor, densityText, describeSeries, prepareSeries } from "@/lib/charts/prepare-series";
import { series } from "./series-fixture";

const raw = { smoothing: 0, logY: false };

/** Two pixel columns over steps 0–3 and 4–7, each with its first/last/min/max point. */
const banded = () =>
  series(
    [[0, 5], [1, 1], [3, 9], [4, 4], [6, 2], [7, 8]],
    { pointsPerPixel: 4, band: { x0: [0, 4], x1: [3, 7], min: [1, 2], max: [9, 8] } },
  );

describe("prepareSeries: lines", () => {
  it("returns one row per M4 point with raw and smoothed values", () => {
    const p = prepareSeries(series([[0, 1], [10, 3]]), { smoothing: 0.5, logY: false });
    expect(p.rows.map((r) => [r.x, r.y])).toEqual([[0, 1], [10, 3]]);
    expect(p.rows[0].smooth).toBe(1);
    expect(p.rows[1].smooth).toBeCloseTo((0.5 * 0.5 + 0.5 * 3) / 0.75, 12);
    expect(p.smoothed).toBe(true);
  });

  it("draws no separate smoothed line at weight 0", () => {
    const p = prepareSeries(series([[0, 1], [1, 3]]), raw);
    expect(p.smoothed).toBe(false);
    expect(p.rows.map((r) => r.smooth)).toEqual([1, 3]);
  });

  it("reports the last finite value for the accessible name", () => {
    const p = prepareSeries(series([[0, 1], [1000, 0.25], [1001, null]], { nonFinite: [[1001, "nan"]] }), raw);
    expect(p.last).toEqual({ x: 1000, step: 1000, y: 0.25 });
    expect(ariaLabelFor("loss", p)).toBe("loss: last value 0.25 at step 1,000");
  });
});

describe("prepareSeries: band", () => {
  it("gives each point its column's min and max", () => {
    const p = prepareSeries(banded(), raw);
    expect(p.rows.map((r) => r.band)).toEqual([[1, 9], [1, 9], [1, 9], [2, 8], [2, 8], [2, 8]]);
  });

  it("is untouched by smoothing", () => {
    const a = prepareSeries(banded(), raw).rows.map((r) => r.band);
    const b = prepareSeries(banded(), { smoothing: 0.95, logY: false }).rows.map((r) => r.band);
    expect(b).toEqual(a);
  });

  it("is left out when every raw point is returned", () => {
    const p = prepareSeries(series([[0, 1], [1, 2]]), raw);
    expect(p.rows.every((r) => r.band === null)).toBe(true);
  });

  it("is null for a column whose values were all non-finite", () => {
    const s = series([[0, 1], [5, null]], { band: { x0: [0, 4], x1: [3, 7], min: [1, null], max: [1, null] }, nonFinite: [[5, "nan"]] });
    expect(prepareSeries(s, raw).rows.map((r) => r.band)).toEqual([[1, 1], null]);
  });
});

describe("prepareSeries: NaN and infinity", () => {
  const s = series([[0, 1], [1, null], [2, 3], [3, null], [4, null]], { nonFinite: [[1, "nan"], [3, "inf"], [4, "-inf"]] });

  it("breaks the raw and smoothed lines at non-finite points and names their kind", () => {
    const p = prepareSeries(s, { smoothing: 0.6, logY: false });
    expect(p.rows.map((r) => r.y)).toEqual([1, null, 3, null, null]);
    expect(p.rows.map((r) => r.smooth === null)).toEqual([false, true, false, true, true]);
    expect(p.rows.map((r) => r.nonFinite)).toEqual([null, "nan", null, "inf", "-inf"]);
  });

  it("puts NaN and +∞ markers at the top of the y domain and −∞ at the bottom", () => {
    const p = prepareSeries(s, raw);
    const [lo, hi] = p.yDomain!;
    expect(p.markers.map((m) => [m.x, m.label, m.y])).toEqual([[1, "NaN", hi], [3, "∞", hi], [4, "−∞", lo]]);
    expect(p.markerLabels).toBe(true);
  });

  it("keeps the y domain and ticks to finite values", () => {
    const p = prepareSeries(s, raw);
    expect(p.yExtent).toEqual([1, 3]);
    expect(p.yDomain).toEqual([0.96, 3.04]);
    expect(p.yTicks).toEqual([1, 1.5, 2, 2.5, 3]);
  });

  it("still has a domain for markers when nothing is finite", () => {
    const p = prepareSeries(series([[0, null]], { nonFinite: [[0, "nan"]] }), raw);
    expect(p.yDomain).toEqual([0, 1]);
    expect(p.markers).toHaveLength(1);
    expect(p.last).toBeNull();
  });

  it("leaves out markers outside the zoomed range", () => {
    expect(prepareSeries(s, { ...raw, range: [2, 3.5] }).markers.map((m) => m.x)).toEqual([3]);
  });

  it("thins thousands of markers and stops labelling them", () => {
    const nan = Array.from({ length: 1000 }, (_, i) => [i, "nan"] as [number, "nan"]);
    const p = prepareSeries(series(nan.map(([x]) => [x, null]), { nonFinite: nan }), { ...raw, maxMarkers: 100 });
    expect(p.markers).toHaveLength(100);
    expect(p.nonFiniteCount).toBe(1000);
    expect(p.markerLabels).toBe(false);
  });
});

describe("prepareSeries: log y", () => {
  it("drops points at or below zero from the line and counts them", () => {
    const p = prepareSeries(series([[0, 10], [1, 0], [2, -3], [3, 0.1]]), { smoothing: 0, logY: true });
    expect(p.rows.map((r) => r.y)).toEqual([10, null, null, 0.1]);
    expect(p.rows.map((r) => r.raw)).toEqual([10, 0, -3, 0.1]);
    expect(p.hiddenNonPositive).toBe(2);
    expect(p.yDomain![0]).toBeGreaterThan(0);
    expect(p.yDomain![0]).toBeLessThan(0.1);
  });

  it("smooths only over the points it draws", () => {
    const p = prepareSeries(series([[0, 10], [1, -5], [2, 10]]), { smoothing: 0.9, logY: true });
    expect(p.rows[1].smooth).toBeNull();
    expect(p.rows[2].smooth).toBeCloseTo(10, 12);
  });

  it("clamps a band's lower bound to the smallest positive value", () => {
    const s = series([[0, 0.5], [3, 2], [4, 3], [7, 4]], { pointsPerPixel: 4, band: { x0: [0, 4], x1: [3, 7], min: [-1, 3], max: [2, 4] } });
    const p = prepareSeries(s, { smoothing: 0, logY: true });
    expect(p.rows.map((r) => r.band)).toEqual([[0.5, 2], [0.5, 2], [3, 4], [3, 4]]);
    expect(p.hiddenNonPositive).toBe(0);
  });

  it("has no domain when every value is hidden", () => {
    expect(prepareSeries(series([[0, 0], [1, -1]]), { smoothing: 0, logY: true }).yDomain).toBeNull();
  });
});

describe("prepareSeries: domains and badge", () => {
  it("uses the series extent for x and pads a single point", () => {
    expect(prepareSeries(series([[0, 1], [50, 2]]), raw).xDomain).toEqual([0, 50]);
    expect(prepareSeries(series([[7, 1]]), raw).xDomain).toEqual([6, 8]);
    expect(prepareSeries(series([]), raw).xDomain).toBeNull();
  });

  it("fits the y axis to the zoomed x range", () => {
    const s = series([[0, 100], [10, 1], [20, 3]]);
    expect(prepareSeries(s, { ...raw, range: [5, 25] }).yExtent).toEqual([1, 3]);
    expect(prepareSeries(s, raw).yExtent).toEqual([1, 100]);
  });

  it("pads a flat line so it is not drawn on the frame", () => {
    expect(prepareSeries(series([[0, 2], [1, 2]]), raw).yDomain).toEqual([1.8, 2.2]);
  });

  it("says how many raw points share a pixel only when downsampled", () => {
    expect(densityText({ exact: true, pointsPerPixel: 30 })).toBeNull();
    expect(densityText({ exact: false, pointsPerPixel: 0.5 })).toBeNull();
    expect(densityText({ exact: false, pointsPerPixel: 3.46 })).toBe("≈3.5 raw points per pixel");
    expect(densityText({ exact: false, pointsPerPixel: 12_345.4 })).toBe("≈12,345 raw points per pixel");
  });
});

describe("describeSeries", () => {
  it("summarises range, last value, extremes, non-finite and hidden points", () => {
    const p = prepareSeries(series([[0, 2], [1, 0], [2, null], [3, 0.5]], { nonFinite: [[2, "inf"]] }), { smoothing: 0, logY: true });
    expect(describeSeries("loss", p, "step")).toBe(
      "loss: 3 points shown from step 0 to step 3; last value 0.5 at step 3; lowest 0, highest 2; 1 NaN or infinite value; 1 point at or below zero hidden on the log scale.",
    );
  });

  it("says when there is nothing to show", () => {
    expect(describeSeries("loss", prepareSeries(series([]), raw), "step")).toBe("loss has no points in this range.");
  });
});
