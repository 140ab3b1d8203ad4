import { describe, expect, it } from "vitest";
import { contracts } from "../../lib/api/contracts";
import { buildOpenApi } from "../../lib/api/openapi";

describe("OpenAPI document", () => {
  const doc = buildOpenApi("1.2.3") as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };

  it("describes every contract once with its method and path", () => {
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(Object.values(contracts).map((c) => `${c.method} ${c.path}`).sort());
  });

  it("carries request schemas with their constraints, and path parameters as required", () => {
    const register = doc.paths["/register"].post as { requestBody: { content: { "application/json": { schema: { properties: Record<string, { minLength?: number }>; additionalProperties: boolean } } } } };
    const schema = register.requestBody.content["application/json"].schema;
    expect(schema.properties.password.minLength).toBe(10);
    expect(schema.additionalProperties).toBe(false);
    const revoke = doc.paths["/tokens/{id}"].delete as { parameters: { name: string; in: string; required: boolean }[] };
    expect(revoke.parameters).toContainEqual(expect.objectContaining({ name: "id", in: "path", required: true }));
  });

  it("marks protected operations with security and problem responses", () => {
    const users = doc.paths["/users"].get as { security: unknown[]; responses: Record<string, unknown>; "x-permission": string };
    expect(users.security.length).toBeGreaterThan(0);
    expect(Object.keys(users.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403"]));
    expect(users["x-permission"]).toBe("user:read");
  });
});
