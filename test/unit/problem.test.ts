import { describe, expect, it } from "vitest";
import { z } from "zod";
import { errorResponse } from "../../lib/api/problem";
import { zodFieldErrors } from "../../lib/errors";
import { ForbiddenError, UnauthenticatedError } from "../../lib/auth/policy";
import { conflict } from "../../lib/errors";

describe("problem+json", () => {
  it("names nested and unknown fields", () => {
    const r = z.strictObject({ a: z.strictObject({ b: z.number() }) }).safeParse({ a: { b: "x", c: 1 } });
    expect(r.success).toBe(false);
    const fields = zodFieldErrors(r.error!, "").map((e) => e.field).sort();
    expect(fields).toEqual(["a.b", "a.c"]);
  });

  it("maps typed errors to statuses and never leaks internals", async () => {
    expect(errorResponse(new UnauthenticatedError()).status).toBe(401);
    expect(errorResponse(new ForbiddenError("user:manage")).status).toBe(403);
    expect(errorResponse(conflict("dup")).status).toBe(409);
    const original = console.error;
    console.error = () => {};
    const res = errorResponse(new Error('relation "User" does not exist at SELECT * FROM secret'));
    console.error = original;
    expect(res.status).toBe(500);
    expect(await res.text()).not.toMatch(/relation|SELECT/);
  });
});
