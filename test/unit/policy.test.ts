import { describe, expect, it } from "vitest";
import { ACTIONS, can, PERMISSIONS, releaseVisible, scopesAllowedFor, type Actor } from "../../lib/auth/policy";

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

  it("owner-bound actions: the owner; admins only where the action allows it, and by token only with the admin scope", () => {
    expect(can(user("RESEARCHER"), "run:write", { ownerId: "u-RESEARCHER" })).toBe(true);
    expect(can(user("RESEARCHER"), "run:write", { ownerId: "someone-else" })).toBe(false);
    expect(can(user("ADMIN"), "run:write", { ownerId: "someone-else" })).toBe(true);
    expect(can(user("ADMIN", ["runs:write"]), "run:write", { ownerId: "someone-else" })).toBe(false);
    expect(can(user("ADMIN", ["runs:write"]), "run:write", { ownerId: "u-ADMIN" })).toBe(true);
    expect(can(user("ADMIN", ["admin"]), "run:write", { ownerId: "someone-else" })).toBe(true);
    // Nobody writes someone else's tokens or sessions; an admin uses token:admin for that.
    expect(can(user("ADMIN"), "token:write", { ownerId: "someone-else" })).toBe(false);
    expect(can(user("ADMIN", ["admin"]), "session:write", { ownerId: "someone-else" })).toBe(false);
    expect(can(user("CLINICIAN", ["read"]), "session:write")).toBe(false);
  });

  it("token scopes mean what they say: read reads, tokens mints, admin administers", () => {
    expect(can(user("ADMIN", ["read"]), "token:read")).toBe(true);
    expect(can(user("ADMIN", ["read"]), "token:write")).toBe(false);
    expect(can(user("ADMIN", ["read"]), "token:admin")).toBe(false);
    expect(can(user("ADMIN", ["tokens"]), "token:write")).toBe(true);
    expect(can(user("ADMIN", ["tokens"]), "token:admin")).toBe(false);
    expect(can(user("ADMIN", ["admin"]), "token:admin")).toBe(true);
    expect(can(user("RESEARCHER", ["admin"]), "token:admin")).toBe(false);
  });

  it("run reports: the owner with runs:write, or the worker token holding the lease", () => {
    const run = { ownerId: "owner", leaseTokenId: "t" };
    expect(can(user("RESEARCHER", ["worker"]), "run:report", run)).toBe(true); // token id "t" holds the lease
    expect(can(user("RESEARCHER", ["worker"]), "run:report", { ...run, leaseTokenId: "other" })).toBe(false);
    expect(can(user("RESEARCHER", ["read"]), "run:report", run)).toBe(false);
    expect(can(user("RESEARCHER", ["runs:write"]), "run:report", { ownerId: "u-RESEARCHER" })).toBe(true);
    expect(can(user("RESEARCHER", ["runs:write"]), "run:report", { ownerId: "owner" })).toBe(false);
    expect(can(user("RESEARCHER", ["worker"]), "run:report", { ownerId: "u-RESEARCHER" })).toBe(false);
    expect(can(user("RESEARCHER", ["read"]), "run:report")).toBe(false);
  });

  it("checkpoint bytes: the run's owner with the download scope and admins acting as admins; the list stays with run readers", () => {
    const theirs = { ownerId: "owner", leaseTokenId: "t" };
    const mine = { ownerId: "u-RESEARCHER", leaseTokenId: null };
    expect(can(user("RESEARCHER"), "checkpoint:download", mine)).toBe(true);
    expect(can(user("RESEARCHER", ["download"]), "checkpoint:download", mine)).toBe(true);
    expect(can(user("RESEARCHER", ["read", "runs:write"]), "checkpoint:download", mine)).toBe(false);
    expect(can(user("RESEARCHER"), "checkpoint:download", theirs)).toBe(false);
    // A person's token holding the lease is not the agent: people never download as the worker.
    expect(can(user("RESEARCHER", ["worker", "download"]), "checkpoint:download", theirs)).toBe(false);
    expect(can(user("CLINICIAN"), "checkpoint:download", { ownerId: "u-CLINICIAN" })).toBe(false);
    expect(can(user("ADMIN"), "checkpoint:download", theirs)).toBe(true);
    expect(can(user("ADMIN", ["admin"]), "checkpoint:download", theirs)).toBe(true);
    expect(can(user("ADMIN", ["download"]), "checkpoint:download", theirs)).toBe(false);
    expect(can(user("RESEARCHER", ["read"]), "checkpoint:read", theirs)).toBe(true);
  });

  it("a worker token is an agent: it connects as its own worker and reports on its leases, nothing else", () => {
    const agent = (role: "ADMIN" | "RESEARCHER" | "CLINICIAN"): Actor => ({ kind: "worker", tokenId: "wt", userId: `u-${role}`, email: "a@x", role, workerId: "w1" });
    const w = agent("ADMIN");
    expect(ACTIONS.filter((a) => can(w, a)).sort()).toEqual(["checkpoint:download", "checkpoint:read", "run:data", "run:report", "worker:connect"]);
    expect(can(w, "checkpoint:read", { leaseTokenId: "wt" })).toBe(true);
    expect(can(w, "checkpoint:read", { leaseTokenId: "other" })).toBe(false);
    // A checkpoint's bytes (to resume from): while it holds the lease, whoever owns the run.
    expect(can(w, "checkpoint:download", { ownerId: "someone", leaseTokenId: "wt" })).toBe(true);
    expect(can(w, "checkpoint:download", { ownerId: "u-ADMIN", leaseTokenId: null })).toBe(false);
    // The dataset files of a run: only while its token holds the run's lease.
    expect(can(w, "run:data", { leaseTokenId: "wt" })).toBe(true);
    expect(can(w, "run:data", { leaseTokenId: "other" })).toBe(false);
    expect(can(w, "run:data", { leaseTokenId: null })).toBe(false);
    expect(can(w, "dataset:read")).toBe(false);
    expect(can(w, "worker:connect", { workerTokenId: "wt" })).toBe(true);
    expect(can(w, "worker:connect", { workerTokenId: "other" })).toBe(false);
    expect(can(w, "worker:connect", { workerTokenId: null })).toBe(false);
    expect(can(w, "run:report", { ownerId: "u-ADMIN", leaseTokenId: "wt" })).toBe(true);
    // Not even on its owner's own run without the lease: the owner's runs:write is not the agent's.
    expect(can(w, "run:report", { ownerId: "u-ADMIN", leaseTokenId: null })).toBe(false);
    expect(can(w, "run:report", { ownerId: "u-ADMIN", leaseTokenId: "other" })).toBe(false);
    expect(can(agent("CLINICIAN"), "worker:connect")).toBe(false);
    // And people never connect as workers, whatever their scopes.
    expect(can(user("ADMIN"), "worker:connect")).toBe(false);
    expect(can(user("ADMIN", ["admin"]), "worker:connect")).toBe(false);
  });

  it("offers only scopes the role can use; admin scope only to admins", () => {
    expect(scopesAllowedFor("CLINICIAN")).toEqual(["read", "download", "tokens"]);
    expect(scopesAllowedFor("RESEARCHER")).toEqual(["read", "runs:write", "worker", "download", "tokens"]);
    expect(scopesAllowedFor("ADMIN")).toEqual(["read", "runs:write", "worker", "download", "tokens", "admin"]);
  });

  it("every action names at least one role", () => {
    for (const a of ACTIONS) expect(PERMISSIONS[a][0].length).toBeGreaterThan(0);
  });
});

describe("release access, as the policy decides it", () => {
  const person = (role: "ADMIN" | "RESEARCHER" | "CLINICIAN", scopes?: string[]): Actor => ({ kind: "user", id: `u-${role}`, email: "p@x", role, ...(scopes ? { token: { id: "t", scopes: scopes as never } } : {}) });
  const rel = (policy: "OPEN" | "GATED" | "PRIVATE", grant: "none" | "active" | "expired" | "revoked", o: Partial<{ published: boolean; termsAccepted: boolean; ownerId: string }> = {}) => ({ release: { policy, grant, published: true, termsAccepted: true, ownerId: "u-OWNER", ...o } });

  it("downloads: OPEN for all with accepted terms; GATED and PRIVATE need a live grant; admins acting as admins always", () => {
    for (const role of ["CLINICIAN", "RESEARCHER"] as const) {
      expect(can(person(role), "release:download", rel("OPEN", "none"))).toBe(true);
      expect(can(person(role), "release:download", rel("OPEN", "none", { termsAccepted: false }))).toBe(false);
      for (const policy of ["GATED", "PRIVATE"] as const) {
        expect(can(person(role), "release:download", rel(policy, "active"))).toBe(true);
        for (const grant of ["none", "expired", "revoked"] as const) expect({ policy, grant, ok: can(person(role), "release:download", rel(policy, grant)) }).toEqual({ policy, grant, ok: false });
        expect(can(person(role), "release:download", rel(policy, "active", { termsAccepted: false }))).toBe(false);
      }
      // Drafts are their maker's.
      expect(can(person(role), "release:download", rel("OPEN", "none", { published: false }))).toBe(false);
    }
    expect(can(person("ADMIN"), "release:download", rel("PRIVATE", "none", { published: false }))).toBe(true);
    // An admin's token without the admin scope is a person like any other; without the download scope, nothing.
    expect(can(person("ADMIN", ["download"]), "release:download", rel("GATED", "none"))).toBe(false);
    expect(can(person("CLINICIAN", ["read"]), "release:download", rel("OPEN", "none"))).toBe(false);
    // The maker downloads their own, whatever its policy.
    expect(can({ ...person("RESEARCHER"), id: "u-OWNER" } as Actor, "release:download", rel("PRIVATE", "none", { published: false }))).toBe(true);
  });

  it("visibility and requests: PRIVATE releases exist only for the people named on them; only GATED ones take requests", () => {
    expect(releaseVisible(person("CLINICIAN"), rel("PRIVATE", "none").release)).toBe(false);
    expect(releaseVisible(person("CLINICIAN"), rel("PRIVATE", "revoked").release)).toBe(false);
    expect(releaseVisible(person("CLINICIAN"), rel("PRIVATE", "active").release)).toBe(true);
    expect(releaseVisible(person("CLINICIAN", ["download"]), rel("GATED", "none").release)).toBe(true);
    expect(releaseVisible(person("RESEARCHER"), rel("GATED", "none", { published: false }).release)).toBe(false);
    expect(can(person("CLINICIAN"), "access:request", rel("GATED", "none"))).toBe(true);
    expect(can(person("CLINICIAN"), "access:request", rel("OPEN", "none"))).toBe(false);
    expect(can(person("CLINICIAN"), "access:request", rel("PRIVATE", "active"))).toBe(false);
    expect(can({ kind: "worker", tokenId: "t", userId: "u", email: "a", role: "ADMIN", workerId: null }, "release:download", rel("OPEN", "none"))).toBe(false);
  });

  it("visitors: nothing unless the server lists releases publicly, then published OPEN and GATED ones to read, never to download", () => {
    const visitor = { kind: "anonymous" } as const;
    for (const policy of ["OPEN", "GATED", "PRIVATE"] as const) {
      expect(can(visitor, "release:read", rel(policy, "none"))).toBe(false);
      const listed = { release: { ...rel(policy, "none").release, publicIndex: true } };
      expect(can(visitor, "release:read", listed)).toBe(policy !== "PRIVATE");
      expect(can(visitor, "release:read", { release: { ...listed.release, published: false } })).toBe(false);
      for (const action of ["release:download", "access:request", "release:write"] as const) expect(can(visitor, action, listed)).toBe(false);
    }
    expect(can(visitor, "release:read")).toBe(false);
  });
});
