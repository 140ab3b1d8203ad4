import { describe, expect, it } from "vitest";
import { diffConfigs, flattenConfig, runConfigValues } from "@/lib/charts/config-diff";

const run = (over: Partial<Parameters<typeof runConfigValues>[0]> = {}) =>
  runConfigValues({
    preset: "small",
    gpus: 1,
    executor: "LOCAL",
    datasetMix: [{ dataset: "totalsegmentator", weight: 1 }],
    config: { learningRate: 1.5e-4, steps: 1000, optimizer: { name: "adamw", betas: [0.9, 0.95] } },
    ...over,
  });

describe("flattenConfig", () => {
  it("joins nested keys with dots and keeps arrays whole", () => {
    expect(flattenConfig({ a: 1, b: { c: "x", d: [1, 2], e: null, f: true, g: undefined } })).toEqual({ a: "1", "b.c": "x", "b.d": "[1,2]", "b.e": "null", "b.f": "true" });
  });
});

describe("diffConfigs", () => {
  it("finds exactly the differing keys", () => {
    const rows = diffConfigs([run(), run({ gpus: 8, config: { learningRate: 3e-4, steps: 1000, optimizer: { name: "adamw", betas: [0.9, 0.99] } } })]);
    expect(rows.map((r) => r.key)).toEqual(["gpus", "learningRate", "optimizer.betas"]);
    expect(rows[1].values).toEqual(["0.00015", "0.0003"]);
  });

  it("lists a key one run lacks as differing, with null for the missing value", () => {
    const rows = diffConfigs([run(), run({ datasetMix: [{ dataset: "totalsegmentator", weight: 1 }, { dataset: "lidc-idri", weight: 0.5 }] })]);
    expect(rows).toEqual([{ key: "datasetMix.lidc-idri", values: [null, "0.5"], differs: true }]);
  });

  it("returns nothing for identical runs and everything with all", () => {
    expect(diffConfigs([run(), run()])).toEqual([]);
    const all = diffConfigs([run(), run()], { all: true });
    expect(all.map((r) => r.key)).toEqual(["preset", "executor", "gpus", "datasetMix.totalsegmentator", "learningRate", "optimizer.betas", "optimizer.name", "steps"]);
    expect(all.every((r) => !r.differs)).toBe(true);
  });

  it("keeps a stable order whatever order the keys arrive in", () => {
    const a = diffConfigs([{ z: "1", a: "1", preset: "x" }, { preset: "y", a: "2", z: "2" }]);
    const b = diffConfigs([{ preset: "x", a: "1", z: "1" }, { z: "2", preset: "y", a: "2" }]);
    expect(a.map((r) => r.key)).toEqual(["preset", "a", "z"]);
    expect(b).toEqual(a);
  });
});
