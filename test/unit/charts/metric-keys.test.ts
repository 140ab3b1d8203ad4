import { describe, expect, it } from "vitest";
import { groupMetricKeys, isSystemKey, requestWidth } from "@/lib/charts/metric-keys";

const keys = ["val/loss", "loss", "sys/gpu0/util", "train/lr", "train/loss", "sys/cpu", "sys/gpu0/mem", "lr", "loss"];

describe("groupMetricKeys", () => {
  it("keeps sys/ keys out of the metric groups, ungrouped keys first, then by prefix", () => {
    expect(groupMetricKeys(keys, false)).toEqual([
      { name: "", keys: ["loss", "lr"] },
      { name: "train", keys: ["train/loss", "train/lr"] },
      { name: "val", keys: ["val/loss"] },
    ]);
  });

  it("groups system keys by their full prefix", () => {
    expect(groupMetricKeys(keys, true)).toEqual([
      { name: "sys", keys: ["sys/cpu"] },
      { name: "sys/gpu0", keys: ["sys/gpu0/mem", "sys/gpu0/util"] },
    ]);
    expect(isSystemKey("system/x")).toBe(false);
  });
});

describe("requestWidth", () => {
  it("rounds up to 40 px steps within the API's limits", () => {
    expect(requestWidth(0)).toBe(0);
    expect(requestWidth(1)).toBe(40);
    expect(requestWidth(641)).toBe(680);
    expect(requestWidth(640)).toBe(640);
    expect(requestWidth(20_000)).toBe(8000);
  });
});
