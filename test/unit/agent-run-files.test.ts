// What the agent reads back from a run directory: only points the server would take go into a batch, and a bad
// line is reported by number instead of holding back the rest.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNewLines, toPoints } from "../../workers/agent/run-files";

describe("agent run files", () => {
  it("keeps good points and checkpoint events, and names every line the server would refuse", () => {
    const lines = [
      '{"step":1,"ts":1.5,"loss":0.5,"gn":"NaN"}',
      "not json",
      '{"step":2.5,"loss":1}',
      '{"step":"99999999999999999999","loss":1}',
      `{"step":3,"${"k".repeat(300)}":1,"ok":2}`,
      '{"step":4,"bad\\u0001key":1}',
      '{"step":"9007199254740993","loss":0.25}',
      '{"event":"checkpoint","step":10,"path":"checkpoints/step-10"}',
      '{"step":5,"loss":"high"}',
    ].map((text, i) => ({ no: i + 1, text }));
    const { points, malformed, checkpoints } = toPoints(lines);
    expect(points.map((p) => [p.key, p.step, p.value])).toEqual([
      ["loss", 1, 0.5],
      ["gn", 1, "NaN"],
      ["ok", 3, 2],
      ["loss", "9007199254740993", 0.25],
    ]);
    expect(malformed.map((m) => m.line)).toEqual([2, 3, 4, 5, 6, 9]);
    expect(checkpoints).toEqual([10]);
  });

  it("reads only whole lines after the saved offset; a line still being written waits", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "runfiles-")), "metrics.jsonl");
    writeFileSync(file, '{"step":1,"loss":1}\n{"step":2,"lo');
    const first = readNewLines(file, 0, 0);
    expect(first.lines.map((l) => l.text)).toEqual(['{"step":1,"loss":1}']);
    writeFileSync(file, '{"step":1,"loss":1}\n{"step":2,"loss":2}\n');
    const second = readNewLines(file, first.offset, first.lineNo);
    expect(second.lines).toEqual([{ no: 2, text: '{"step":2,"loss":2}' }]);
    expect(readNewLines(file, second.offset, second.lineNo).lines).toEqual([]);
    // The writer exited mid-line: that last line is all there will ever be, so it is taken as it is.
    writeFileSync(file, '{"step":1,"loss":1}\n{"step":2,"loss":2}\nTraceback (most recent call last)');
    expect(readNewLines(file, second.offset, second.lineNo).lines).toEqual([]);
    const rest = readNewLines(file, second.offset, second.lineNo, undefined, true);
    expect(rest.lines).toEqual([{ no: 3, text: "Traceback (most recent call last)" }]);
    expect(readNewLines(file, rest.offset, rest.lineNo, undefined, true).lines).toEqual([]);
  });
});
