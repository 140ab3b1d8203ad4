import { describe, expect, it } from "vitest";
import { ACTIONS, can, PERMISSIONS, scopesAllowedFor, type Actor } from "../../lib/auth/policy";

const user = (role: "ADMIN" | "RESEARCHER" | "CLINICIAN", scopes?: string[]): Actor => ({
  kind: "user",
  id: `u-${role}`,
  email: `${role}@x`,
  role,
  ...(scopes ? { token: { id: "t", scopes: scopes as never } } : {}),
});

describe("policy", () => {
  it("anonymous can do nothing; the system can do everything", () => {
    for (const a of ACTIONS) {
      expect(can({ kind: "anonymous" }, a)).toBe(false);
      expect(can({ kind: "system", label: "t" }, a)).toBe(true);
    }
  });

  it("clinicians read datasets and releases and download, but never train or administer", () => {
    const c = user("CLINICIAN");
    expect(["dataset:read", "release:read", "release:download", "access:request"].every((a) => can(c, a as never))).toBe(true);
    expect(["run:read", "run:write", "worker:connect", "user:manage", "audit:read", "access:decide"].some((a) => can(c, a as never))).toBe(false);
  });

  it("researchers run training but cannot decide access or manage users", () => {
    const r = user("RESEARCHER");
    expect(can(r, "run:write")).toBe(true);
    expect(can(r, "access:decide")).toBe(false);
    expect(can(r, "user:manage")).toBe(false);
  });

  it("a token narrows its owner's role to its scopes", () => {
    expect(can(user("ADMIN", ["read"]), "dataset:read")).toBe(true);
    expect(can(user("ADMIN", ["read"]), "user:manage")).toBe(false);
    expect(can(user("RESEARCHER", ["read"]), "run:write")).toBe(false);
    expect(can(user("RESEARCHER", ["runs:write"]), "run:write")).toBe(true);
    // Scopes never lift a role: a clinician's worker-scoped token still cannot connect a worker.
    expect(can(user("CLINICIAN", ["worker", "admin"]), "worker:connect")).toBe(false);
  });

  it("owner-bound actions allow the owner and admins only", () => {
    expect(can(user("RESEARCHER"), "token:manage", { ownerId: "u-RESEARCHER" })).toBe(true);
    expect(can(user("RESEARCHER"), "token:manage", { ownerId: "someone-else" })).toBe(false);
    expect(can(user("ADMIN"), "token:manage", { ownerId: "someone-else" })).toBe(true);
  });

  it("offers only scopes the role can use; admin scope only to admins", () => {
    expect(scopesAllowedFor("CLINICIAN")).toEqual(["read", "download"]);
    expect(scopesAllowedFor("RESEARCHER")).toEqual(["read", "runs:write", "worker", "download"]);
    expect(scopesAllowedFor("ADMIN")).toEqual(["read", "runs:write", "worker", "download", "admin"]);
  });

  it("every action names at least one role", () => {
    for (const a of ACTIONS) expect(PERMISSIONS[a][0].length).toBeGreaterThan(0);
  });
});
