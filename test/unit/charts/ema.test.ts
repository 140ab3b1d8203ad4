import { describe, expect, it } from "vitest";
import { clampSmoothing, smoothEma } from "@/lib/charts/ema";

describe("smoothEma", () => {
  it("leaves a constant series constant at any weight", () => {
    for (const w of [0.1, 0.6, 0.9, 0.99]) {
      for (const v of smoothEma(Array(50).fill(3.25), w)) expect(v).toBeCloseTo(3.25, 12);
    }
  });

  it("starts at the first raw value thanks to debiasing", () => {
    const out = smoothEma([10, 0, 0], 0.9);
    expect(out[0]).toBeCloseTo(10, 12);
    // Without debiasing the first value would be 1 (10 × 0.1).
  });

  it("matches TensorBoard's formula step by step", () => {
    const w = 0.5;
    const out = smoothEma([2, 4, 8], w);
    // last: 1, 2.5, 5.25; debias by 1 - 0.5^n: 0.5, 0.75, 0.875
    expect(out).toEqual([2, 2.5 / 0.75, 5.25 / 0.875]);
  });

  it("returns the raw values at weight 0", () => {
    expect(smoothEma([1, 5, -2], 0)).toEqual([1, 5, -2]);
  });

  it("emits null at NaN, Infinity and null and keeps the running average across them", () => {
    const w = 0.5;
    const withGaps = smoothEma([2, NaN, null, Infinity, 4, -Infinity, 8], w);
    const clean = smoothEma([2, 4, 8], w);
    expect(withGaps).toEqual([clean[0], null, null, null, clean[1], null, clean[2]]);
  });

  it("counts only finite points in the debias term, so a leading NaN does not shift the first value", () => {
    expect(smoothEma([NaN, 7, 7], 0.95)).toEqual([null, 7, expect.closeTo(7, 12)]);
  });

  it("moves towards new values more slowly with a higher weight", () => {
    const low = smoothEma([0, 0, 0, 10], 0.3)[3]!;
    const high = smoothEma([0, 0, 0, 10], 0.9)[3]!;
    expect(low).toBeGreaterThan(high);
    expect(high).toBeGreaterThan(0);
  });
});

describe("clampSmoothing", () => {
  it("keeps weights within [0, 0.99] and treats NaN as no smoothing", () => {
    expect(clampSmoothing(-1)).toBe(0);
    expect(clampSmoothing(NaN)).toBe(0);
    expect(clampSmoothing(1)).toBe(0.99);
    expect(clampSmoothing(0.6)).toBe(0.6);
  });
});
