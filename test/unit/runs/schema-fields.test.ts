import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defaultsOf, fieldsFromSchema, hyperparameterValues, labelFor } from "@/lib/runs/schema-fields";
import { PRESETS } from "@/lib/runs/presets";

const schema = z.toJSONSchema(PRESETS.small.hyper, { io: "input" });

describe("fieldsFromSchema", () => {
  it("makes one field per hyperparameter with its kind, bounds and default", () => {
    const fields = fieldsFromSchema(schema);
    expect(fields.map((f) => f.name)).toEqual(Object.keys(PRESETS.small.hyper.shape));
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.objective).toMatchObject({ kind: "enum", options: ["mae", "dino"], defaultValue: "mae", label: "Objective" });
    expect(byName.steps).toMatchObject({ kind: "integer", min: 1, max: 10_000_000, defaultValue: 1000 });
    expect(byName.learningRate).toMatchObject({ kind: "number", label: "Learning rate", defaultValue: 1.5e-4, max: 1 });
  });

  it("returns no fields for a missing schema", () => {
    expect(fieldsFromSchema(undefined)).toEqual([]);
  });
});

describe("hyperparameterValues", () => {
  const fields = fieldsFromSchema({ properties: { lr: { type: "number" }, steps: { type: "integer" }, mode: { enum: ["a", "b"] }, ema: { type: "boolean" } } });

  it("round-trips the defaults into typed values", () => {
    const draft = defaultsOf(fieldsFromSchema(schema));
    expect(hyperparameterValues(fieldsFromSchema(schema), draft)).toEqual(PRESETS.small.hyper.parse({}));
  });

  it("converts numbers, leaves out empty fields and passes unparsable text through for the server to reject", () => {
    expect(hyperparameterValues(fields, { lr: "3e-4", steps: "", mode: "b", ema: false })).toEqual({ lr: 3e-4, mode: "b", ema: false });
    expect(hyperparameterValues(fields, { lr: "fast" })).toEqual({ lr: "fast" });
  });
});

describe("labelFor", () => {
  it("turns camelCase and snake_case into a sentence", () => {
    expect(labelFor("checkpointEvery")).toBe("Checkpoint every");
    expect(labelFor("mask_ratio")).toBe("Mask ratio");
  });
});
