// The OpenAPI 3.1 document, generated from the same contracts the routes enforce.
import { z } from "zod";
import type { Contract } from "./contract";
import { contracts } from "./contracts";

function schemaOf(s: z.ZodType, io: "input" | "output") {
  return z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
}

function parameters(c: Contract) {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [["path", c.params], ["query", c.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: s });
    }
  }
  return out;
}

const problem = { description: "Problem details (RFC 9457)", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };

export function buildOpenApi(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, c] of Object.entries(contracts) as [string, Contract][]) {
    const op: Record<string, unknown> = {
      operationId: id,
      summary: c.summary,
      tags: [c.tag],
      security: c.auth === "public" ? [] : c.auth === "optional" ? [{}, { bearer: [] }, { session: [] }] : [{ bearer: [] }, { session: [] }],
      parameters: parameters(c),
      responses: {
        [String(c.status ?? 200)]: {
          description: "Success",
          content: { [c.contentType ?? "application/json"]: c.response ? { schema: schemaOf(c.response, "output") } : {} },
        },
        "400": problem,
        ...(c.auth !== "public" ? { "401": problem, "403": problem } : {}),
        ...(c.body || c.rawBody ? { "413": problem } : {}),
      },
      ...(c.permission ? { "x-permission": c.permission } : {}),
    };
    if (c.body) op.requestBody = { required: true, content: { "application/json": { schema: schemaOf(c.body, "input") } } };
    if (c.rawBody) {
      const schema = schemaOf(c.rawBody.schema, "input");
      op.requestBody = { required: true, content: Object.fromEntries(c.rawBody.contentTypes.map((t) => [t, { schema }])) };
    }
    (paths[c.path] ??= {})[c.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "Hounsfield API", version, description: "Datasets, training runs, workers and model releases. Errors are problem+json." },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API token created under API tokens or with `npx hounsfield token create`" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            errors: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } },
          },
        },
      },
    },
    paths,
  };
}
