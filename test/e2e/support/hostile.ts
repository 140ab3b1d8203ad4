// Arbitraries for requests derived from an endpoint's zod contract (through its JSON Schema): values that fit the
// schema, the same with one field replaced by something hostile, one field dropped or one unknown field added,
// and JSON with no relation to the schema at all.
import fc from "fast-check";
import { z } from "zod";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: Json[];
  const?: Json;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: Json;
};

export function jsonSchema(s: z.ZodType): Schema {
  return z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Schema;
}

/** Strings no handler should choke on. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "💥".repeat(300),
    "x".repeat(70_000),
    "../../etc/passwd",
    "%2e%2e%2f",
    "'; DROP TABLE \"User\"; --",
    "${7*7}{{7*7}}",
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://x\")",
    "-200000-01-01T00:00:00Z",
    "99999999999999999999999",
    "-1",
    "1e309",
    "NaN",
    "null",
    "__proto__",
    " ",
    "\r\n",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
);

export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 53, 2 ** 63, 2 ** 64, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom<Json>(null, true, false, [], {}, [[[[[[[[[[]]]]]]]]]], JSON.parse('{"__proto__": {"admin": true}}') as Json, { constructor: { prototype: { x: 1 } } }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.array(fc.constant(1), { minLength: 1000, maxLength: 1000 }),
);

/** A value that satisfies the schema (as far as a generator can know without running zod). */
export function fitting(s: Schema, depth = 0): fc.Arbitrary<Json> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => fitting(a, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      const props = s.properties ?? {};
      if (depth > 4 || !Object.keys(props).length) return fc.constant({});
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fitting(v, depth + 1)]));
      return fc.record(model, { requiredKeys: s.required ?? [] }) as fc.Arbitrary<Json>;
    }
    case "array":
      return fc.array(s.items ? fitting(s.items, depth + 1) : fc.constant(null), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    case "integer":
      return fc.integer({ min: Math.max(s.minimum ?? -1000, -(2 ** 31)), max: Math.min(s.maximum ?? 1000, 2 ** 31) });
    case "number":
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "string":
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 20, 20) });
    default:
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

/** Replaces, drops or adds one field somewhere in a fitting object. */
function mutate(value: Json, pick: number, hostile: Json, how: "replace" | "drop" | "add"): Json {
  const paths: (string | number)[][] = [];
  const walk = (v: Json, at: (string | number)[]) => {
    if (v && typeof v === "object") {
      paths.push(at);
      for (const [k, child] of Object.entries(v)) walk(child as Json, [...at, Array.isArray(v) ? Number(k) : k]);
    } else paths.push(at);
  };
  walk(value, []);
  const path = paths[pick % paths.length];
  const copy = structuredClone(value);
  if (!path.length) return how === "replace" ? hostile : copy;
  let parent = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (how === "replace") parent[last] = hostile;
  else if (how === "drop") delete parent[last];
  else if (parent[last] && typeof parent[last] === "object") (parent[last] as Record<string, Json>)["unexpected field"] = hostile;
  return copy;
}

/** Inputs for one place of a request (body, query or path), hostile in every way the schema allows. */
export function inputs(schema: z.ZodType | undefined): fc.Arbitrary<Json | undefined> {
  if (!schema) return fc.oneof(fc.constant(undefined), hostileValue);
  const s = jsonSchema(schema);
  const base = fitting(s);
  return fc.oneof(
    base,
    fc.tuple(base, fc.nat(), hostileValue, fc.constantFrom("replace", "drop", "add") as fc.Arbitrary<"replace" | "drop" | "add">).map(([v, i, h, how]) => mutate(v, i, h, how)),
    hostileValue,
  );
}

/** A query string from any value: objects become key=value pairs (arrays repeat the key), the rest `q=`. */
export function queryString(v: Json | undefined): string {
  if (v === undefined) return "";
  const params = new URLSearchParams();
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, val] of Object.entries(v)) {
      for (const one of Array.isArray(val) ? val : [val]) params.append(k, typeof one === "string" ? one : JSON.stringify(one));
    }
  } else params.append("q", typeof v === "string" ? v : JSON.stringify(v));
  // URLSearchParams replaces lone surrogates with U+FFFD; the server sees the same either way.
  const s = params.toString();
  return s ? `?${s}` : "";
}
