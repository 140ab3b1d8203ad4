import { describe, expect, it } from "vitest";
import { mergeSeries, nearestRow, valuesAt } from "@/lib/charts/merge-series";
import { series } from "./series-fixture";

const runs = [
  { id: "a", name: "baseline", color: "#111" },
  { id: "b", name: "lr 3e-4", color: "#222" },
];

describe("mergeSeries", () => {
  it("keeps one data array per run, in the order the runs were chosen", () => {
    const m = mergeSeries(
      [series([[0, 5], [2, 3]], { runId: "b" }), series([[0, 4], [1, 2], [3, 1]], { runId: "a" })],
      runs,
      { smoothing: 0, logY: false },
    );
    expect(m.lines.map((l) => [l.name, l.color, l.rows.map((r) => r.x)])).toEqual([
      ["baseline", "#111", [0, 1, 3]],
      ["lr 3e-4", "#222", [0, 2]],
    ]);
  });

  it("shares one x and y domain across the lines", () => {
    const m = mergeSeries([series([[0, 1], [10, 2]], { runId: "a" }), series([[5, 3], [20, 11]], { runId: "b" })], runs, { smoothing: 0, logY: false });
    expect(m.xDomain).toEqual([0, 20]);
    expect(m.yDomain).toEqual([0.8, 11.2]);
    expect(m.yTicks).toEqual([2.5, 5, 7.5, 10]);
  });

  it("skips series of runs it was not told about", () => {
    const m = mergeSeries([series([[0, 1]], { runId: "zzz" })], runs, { smoothing: 0, logY: false });
    expect(m.lines).toEqual([]);
    expect(m.yDomain).toBeNull();
  });

  it("smooths every line and sums points hidden by the log scale", () => {
    const m = mergeSeries([series([[0, 1], [1, -1], [2, 3]], { runId: "a" }), series([[0, 0]], { runId: "b" })], runs, { smoothing: 0.5, logY: true });
    expect(m.smoothed).toBe(true);
    expect(m.hiddenNonPositive).toBe(2);
    expect(m.lines[0].rows.map((r) => r.smooth === null)).toEqual([false, true, false]);
  });

  it("warns with the coarsest downsampling among the lines", () => {
    const band = { x0: [0], x1: [1], min: [1], max: [1] };
    const m = mergeSeries(
      [series([[0, 1]], { runId: "a", band, pointsPerPixel: 3 }), series([[0, 1]], { runId: "b", band, pointsPerPixel: 40 })],
      runs,
      { smoothing: 0, logY: false },
    );
    expect(m.density).toBe("≈40 raw points per pixel");
  });
});

describe("nearestRow and valuesAt", () => {
  const rows = mergeSeries([series([[0, 1], [10, 2], [20, 3]], { runId: "a" })], runs, { smoothing: 0, logY: false }).lines[0].rows;

  it("finds the closest x on either side, preferring the earlier point on a tie", () => {
    expect(nearestRow(rows, -5)?.x).toBe(0);
    expect(nearestRow(rows, 6)?.x).toBe(10);
    expect(nearestRow(rows, 5)?.x).toBe(0);
    expect(nearestRow(rows, 19)?.x).toBe(20);
    expect(nearestRow(rows, 100)?.x).toBe(20);
    expect(nearestRow([], 1)).toBeNull();
  });

  it("gives one entry per non-empty line", () => {
    const m = mergeSeries([series([[0, 1], [10, 2]], { runId: "a" }), series([], { runId: "b" })], runs, { smoothing: 0, logY: false });
    expect(valuesAt(m.lines, 8).map((v) => [v.name, v.row.y])).toEqual([["baseline", 2]]);
  });
});
