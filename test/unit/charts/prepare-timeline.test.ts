import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { prepareTimeline } from "@/lib/charts/prepare-timeline";
import type { ZRunEvent } from "@/lib/schemas/run";

type RunEvent = z.infer<typeof ZRunEvent>;

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
const ev = (from: RunEvent["from"], to: RunEvent["to"], s: number): RunEvent => ({ from, to, reason: "", actor: "system", at: at(s) });

describe("prepareTimeline", () => {
  it("turns events into consecutive status segments that add up to the whole", () => {
    const t = prepareTimeline([ev("STARTING", "RUNNING", 10), ev(null, "QUEUED", 0), ev("QUEUED", "STARTING", 4), ev("RUNNING", "SUCCEEDED", 40)], Date.parse(at(999)));
    expect(t.events.map((e) => e.to)).toEqual(["QUEUED", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect(t.segments.map((s) => [s.status, s.ms])).toEqual([["QUEUED", 4000], ["STARTING", 6000], ["RUNNING", 30000]]);
    expect(t.totalMs).toBe(40_000);
    expect(t.segments.reduce((a, s) => a + s.fraction, 0)).toBeCloseTo(1, 12);
  });

  it("lets the current status of a live run last until now", () => {
    const t = prepareTimeline([ev(null, "QUEUED", 0), ev("QUEUED", "RUNNING", 5)], Date.parse(at(20)));
    expect(t.segments.map((s) => [s.status, s.ms])).toEqual([["QUEUED", 5000], ["RUNNING", 15000]]);
  });

  it("has no segments for a run with a single terminal event", () => {
    expect(prepareTimeline([ev(null, "CANCELLED", 0)], Date.parse(at(20))).segments).toEqual([]);
  });
});
