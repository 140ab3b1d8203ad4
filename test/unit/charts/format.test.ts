import { describe, expect, it } from "vitest";
import { count, formatCompact, formatDuration, formatElapsed, formatStep, formatTick, formatValue, formatX, formatXTick } from "@/lib/charts/format";

describe("x formatting", () => {
  it("writes steps as integers with thousands separators", () => {
    expect(formatX(1234567, "step")).toBe("1,234,567");
    expect(formatStep(12.6)).toBe("13");
  });

  it("writes relative time as h:mm:ss, hours running past a day", () => {
    expect(formatX(3_725_000, "relative")).toBe("1:02:05");
    expect(formatX(999, "relative")).toBe("0:00:00");
    expect(formatElapsed(27 * 3_600_000 + 5_000)).toBe("27:00:05");
  });

  it("writes wall time in the local zone with seconds", () => {
    const t = Date.UTC(2025, 4, 17, 13, 7, 9);
    const local = new Date(t);
    const text = formatX(t, "time");
    expect(text).toContain(String(local.getFullYear()));
    expect(text).toContain(String(local.getMinutes()).padStart(2, "0"));
    expect(text).toContain("09");
  });

  it("drops the date from wall-time ticks when the span is under a day", () => {
    const t = Date.UTC(2025, 4, 17, 13, 7, 9);
    expect(formatXTick(t, "time", 3_600_000)).not.toContain(String(new Date(t).getFullYear()));
    expect(formatXTick(t, "time", 3_600_000)).toContain("09");
    expect(formatXTick(4000, "step", 10)).toBe("4,000");
  });
});

describe("value formatting", () => {
  it("keeps full precision for exact reading", () => {
    expect(formatValue(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(formatValue(1.5e-10)).toBe("1.5e-10");
  });

  it("shortens tick labels", () => {
    expect(formatTick(0.123456)).toBe("0.123");
    expect(formatTick(2.5e-5)).toBe("2.5e-5");
    expect(formatTick(1_234_567)).toBe("1.23e6");
    expect(formatTick(0)).toBe("0");
    expect(formatTick(2e-4)).toBe("2e-4");
    expect(formatTick(-5e-5)).toBe("-5e-5");
  });

  it("writes headline values with four significant digits", () => {
    expect(formatCompact(0.3221539373799851)).toBe("0.3222");
    expect(formatCompact(0.00011722540818280882)).toBe("1.172e-4");
    expect(formatCompact(123456.7)).toBe("1.235e5");
  });

  it("counts with the right number and separators", () => {
    expect(count(1, "point")).toBe("1 point");
    expect(count(2048, "point")).toBe("2,048 points");
    expect(count(0, "line")).toBe("0 lines");
  });

  it("writes durations at a useful grain", () => {
    expect(formatDuration(12_400)).toBe("12s");
    expect(formatDuration(185_000)).toBe("3m 05s");
    expect(formatDuration(3_720_000)).toBe("1h 02m");
    expect(formatDuration(50 * 3_600_000)).toBe("2d 2h");
  });
});
