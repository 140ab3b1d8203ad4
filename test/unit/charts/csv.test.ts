import { describe, expect, it } from "vitest";
import { csvField, csvFileName, csvText, seriesToCsv } from "@/lib/charts/csv";
import { series } from "./series-fixture";

describe("csvField", () => {
  it("quotes only fields that need it and doubles quotes", () => {
    expect(csvField("loss")).toBe("loss");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
  });
});

describe("csvText", () => {
  it("never lets a spreadsheet run a name as a formula", () => {
    for (const evil of ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]) expect(csvText(evil).replace(/^"/, "")[0]).toBe("'");
    expect(csvText("loss")).toBe("loss");
    expect(csvText("=a,b")).toBe(`"'=a,b"`);
  });
});

describe("seriesToCsv", () => {
  const s = series([[0, 0.5], [1, null], [2, 1e-10], [3, null], [4, null]], { key: "val/loss, ema", nonFinite: [[1, "nan"], [3, "inf"], [4, "-inf"]] });

  it("writes a header and one CRLF-terminated row per point, non-finite values by name", () => {
    expect(seriesToCsv([{ run: 'run "A"', series: s }])).toBe(
      [
        "run,key,step,x,value",
        '"run ""A""","val/loss, ema",0,0,0.5',
        '"run ""A""","val/loss, ema",1,1,NaN',
        '"run ""A""","val/loss, ema",2,2,1e-10',
        '"run ""A""","val/loss, ema",3,3,Infinity',
        '"run ""A""","val/loss, ema",4,4,-Infinity',
        "",
      ].join("\r\n"),
    );
  });

  it("escapes formula-like run names and keys but leaves negative numbers alone", () => {
    const out = seriesToCsv([{ run: "=cmd|' /C calc'!A0", series: series([[0, -1.5]], { key: "@loss" }) }]);
    expect(out.split("\r\n")[1]).toBe(`'=cmd|' /C calc'!A0,'@loss,0,0,-1.5`);
  });

  it("keeps only the visible range", () => {
    const rows = seriesToCsv([{ run: "a", series: s }], { from: 1, to: 3 }).trim().split("\r\n");
    expect(rows.slice(1).map((r) => r.split(",").at(-1))).toEqual(["NaN", "1e-10", "Infinity"]);
  });

  it("writes several series one after another", () => {
    const out = seriesToCsv([{ run: "a", series: series([[0, 1]]) }, { run: "b", series: series([[5, 2]], { key: "acc" }) }]);
    expect(out).toBe("run,key,step,x,value\r\na,loss,0,0,1\r\nb,acc,5,5,2\r\n");
  });
});

describe("csvFileName", () => {
  it("replaces characters that are unsafe in file names", () => {
    expect(csvFileName("run 1", "sys/gpu0:util")).toBe("run_1-sys_gpu0_util.csv");
  });
});
