// A run's status history as consecutive segments for the timeline bar: each status lasts from the event that
// entered it to the next one; the current status runs until `now` while the run is alive.
import type { z } from "zod";
import { ACTIVE } from "../runs/state-machine";
import type { ZRunEvent, ZRunStatus } from "../schemas/run";

type RunEvent = z.infer<typeof ZRunEvent>;
type RunStatus = z.infer<typeof ZRunStatus>;

export type TimelineSegment = { status: RunStatus; start: number; end: number; ms: number; fraction: number };
export type Timeline = { events: RunEvent[]; segments: TimelineSegment[]; totalMs: number };

export function prepareTimeline(events: readonly RunEvent[], now: number): Timeline {
  const sorted = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const spans = sorted.map((e, i) => {
    const start = Date.parse(e.at);
    const next = sorted[i + 1];
    const end = next ? Date.parse(next.at) : ACTIVE.includes(e.to) ? Math.max(now, start) : start;
    return { status: e.to, start, end, ms: end - start };
  });
  const totalMs = spans.reduce((sum, s) => sum + s.ms, 0);
  const segments = spans.filter((s) => s.ms > 0).map((s) => ({ ...s, fraction: s.ms / totalMs }));
  return { events: sorted, segments, totalMs };
}
