import { describe, expect, it } from "vitest";
import { linearAxis, logAxis, multiplesWithin, niceStep, xTicks, zoomRange } from "@/lib/charts/ticks";

describe("niceStep", () => {
  it("rounds up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([0.3, 0.45, 1, 1.2, 2.2, 7, 1234].map(niceStep)).toEqual([0.5, 0.5, 1, 2, 2.5, 10, 2000]);
  });
});

describe("linearAxis", () => {
  it("puts round ticks inside a loss curve's range plus 2% air", () => {
    const a = linearAxis([0.1, 2.28]);
    expect(a.domain).toEqual([0.0564, 2.3236]);
    expect(a.ticks).toEqual([0.5, 1, 1.5, 2]);
  });

  it("keeps a spike near the top instead of widening to the next round number", () => {
    const a = linearAxis([1, 100]);
    expect((100 - a.domain[0]) / (a.domain[1] - a.domain[0])).toBeGreaterThan(0.97);
    expect(a.ticks).toEqual([0, 25, 50, 75, 100]);
  });

  it("does not cross zero when the data stays on one side of it", () => {
    expect(linearAxis([0, 1.5e-4])).toEqual({ domain: [0, 1.53e-4], ticks: [0, 5e-5, 1e-4, 1.5e-4] });
    expect(linearAxis([-3, -0.01]).domain[1]).toBe(0);
    expect(linearAxis([-1, 1]).domain).toEqual([-1.04, 1.04]);
  });

  it("gives a flat line some room", () => {
    expect(linearAxis([2, 2]).domain).toEqual([1.8, 2.2]);
    expect(linearAxis([0, 0]).domain).toEqual([0, 1]);
  });

  it("writes ticks without floating-point dust", () => {
    expect(linearAxis([0.1, 0.3]).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
  });
});

describe("logAxis", () => {
  it("uses powers of ten over several decades", () => {
    const a = logAxis([0.001, 10]);
    expect(a.ticks).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(a.domain[0]).toBeLessThan(0.001);
    expect(a.domain[1]).toBeGreaterThan(10);
  });

  it("uses 1-2-5 steps within a narrow range and stays positive", () => {
    const a = logAxis([0.3, 4]);
    expect(a.ticks).toEqual([0.5, 1, 2]);
    expect(a.domain[0]).toBeGreaterThan(0);
  });
});

describe("xTicks", () => {
  it("puts step ticks on round integers inside the domain", () => {
    expect(xTicks([0, 199_999], "step", 4)).toEqual([0, 50_000, 100_000, 150_000]);
    expect(xTicks([3, 7], "step", 10)).toEqual([3, 4, 5, 6, 7]);
  });

  it("steps relative time in clock units", () => {
    expect(xTicks([0, 3_600_000], "relative", 4)).toEqual([0, 900_000, 1_800_000, 2_700_000, 3_600_000]);
  });

  it("aligns wall-time ticks to the clock of the viewer's zone, even a quarter-hour zone", () => {
    const nepal = () => -(5 * 60 + 45) * 60_000;
    const lo = Date.UTC(2025, 0, 1, 10, 7);
    const ticks = xTicks([lo, lo + 6 * 3_600_000], "time", 6, nepal);
    expect(ticks.length).toBeGreaterThan(3);
    for (const t of ticks) expect((t - nepal()) % 3_600_000).toBe(0);
    expect(ticks[0] - lo).toBeLessThan(3_600_000);
  });

  it("aligns wall-time ticks to the local clock", () => {
    const lo = Date.UTC(2025, 0, 1, 10, 7);
    const ticks = xTicks([lo, lo + 6 * 3_600_000], "time", 6);
    expect(ticks.length).toBeGreaterThan(3);
    for (const t of ticks) {
      expect(new Date(t).getMinutes()).toBe(0);
      expect(new Date(t).getSeconds()).toBe(0);
    }
  });
});

describe("multiplesWithin", () => {
  it("includes both ends when they are multiples", () => {
    expect(multiplesWithin(-1, 1, 0.5)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe("zoomRange", () => {
  it("orders the ends and widens to whole steps on the step axis only", () => {
    expect(zoomRange(24_394.9, 7911.2, "step")).toEqual([7911, 24_395]);
    expect(zoomRange(1.5, 2.5, "relative")).toEqual([1.5, 2.5]);
  });
});
