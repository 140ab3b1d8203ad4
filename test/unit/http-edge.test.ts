import { describe, expect, it } from "vitest";
import { API_BODY_LIMIT, checkBody, PAGE_BODY_LIMIT } from "../../lib/api/body-limit";
import { databaseProblem, sqlState } from "../../lib/db/errors";
import { setEnv } from "../../lib/env";
import { hostAllowed, hostName } from "../../lib/http/allowed-host";
import { contentSecurityPolicy, securityHeaders } from "../../lib/http/security-headers";

describe("allowed hosts (DNS rebinding)", () => {
  it("accepts the public URL's host, localhost and IP literals; refuses other names", () => {
    setEnv({ NEXTAUTH_URL: "https://ct.example.org", ALLOWED_HOSTS: "" });
    for (const ok of ["ct.example.org", "CT.example.org:443", "localhost:3000", "app.localhost", "127.0.0.1:3000", "10.1.2.3", "[::1]:3000"]) expect(hostAllowed(ok), ok).toBe(true);
    for (const bad of ["attacker.example", "ct.example.org.attacker.example", "127.0.0.1.nip.io", "", null, "a b", "ct.example.org:abc", "[::1]x", "999.1.1.1", "[x]", "[]:80"]) expect(hostAllowed(bad), String(bad)).toBe(false);
  });

  it("takes extra names and subdomain wildcards from ALLOWED_HOSTS", () => {
    setEnv({ NEXTAUTH_URL: "http://localhost:3000", ALLOWED_HOSTS: "gpu-box.lan, .hospital.example" });
    try {
      expect(hostAllowed("gpu-box.lan:3000")).toBe(true);
      expect(hostAllowed("ct.hospital.example")).toBe(true);
      expect(hostAllowed("hospital.example")).toBe(true);
      expect(hostAllowed("evilhospital.example")).toBe(false);
    } finally {
      setEnv({ ALLOWED_HOSTS: "" });
    }
    expect(hostName("[::1]:80")).toBe("[::1]");
  });
});

describe("security headers", () => {
  it("allows scripts only with this response's nonce, and no framing", () => {
    const csp = contentSecurityPolicy("abc123");
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it("sends HSTS only over https", () => {
    expect(securityHeaders({ nonce: "n", https: true })["Strict-Transport-Security"]).toMatch(/max-age=\d+/);
    expect(securityHeaders({ nonce: "n", https: false })["Strict-Transport-Security"]).toBeUndefined();
  });
});

describe("body limits on the socket", () => {
  it("refuses a large declared body before any handler, and a page body without a length", () => {
    expect(checkBody("/api/auth/callback/credentials", { "content-length": String(300 * 1024 * 1024) })).toEqual({ status: 413, limit: PAGE_BODY_LIMIT });
    expect(checkBody("/api/auth/callback/credentials", { "transfer-encoding": "chunked" })).toEqual({ status: 411, limit: PAGE_BODY_LIMIT });
    expect(checkBody("/api/auth/callback/credentials", { "content-length": "300" })).toBeNull();
    expect(checkBody("/api/v1/runs/x/metrics", { "content-length": String(API_BODY_LIMIT + 1) })).toEqual({ status: 413, limit: API_BODY_LIMIT });
    expect(checkBody("/api/v1/runs/x/metrics", { "transfer-encoding": "chunked" })).toBeNull();
    expect(API_BODY_LIMIT).toBe(8 * 1024 * 1024);
    // Only checkpoint upload chunks may be larger, up to 64 MiB each.
    expect(checkBody("/api/v1/uploads/abc", { "content-length": String(64 * 1024 * 1024) })).toBeNull();
    expect(checkBody("/api/v1/uploads/abc", { "content-length": String(64 * 1024 * 1024 + 1) })).toMatchObject({ status: 413 });
    expect(checkBody("/api/v1/uploadsx", { "content-length": String(API_BODY_LIMIT + 1) })).toMatchObject({ status: 413 });
  });
});

describe("database errors as answers", () => {
  it("finds the SQLSTATE in raw pg errors and in Prisma's wrapped ones", () => {
    expect(sqlState({ code: "22003", severity: "ERROR" })).toBe("22003");
    expect(sqlState({ name: "DriverAdapterError", cause: { originalCode: "22021", kind: "postgres" } })).toBe("22021");
    expect(sqlState({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "22P02" } } } })).toBe("22P02");
    expect(sqlState(new Error("plain"))).toBeUndefined();
  });

  it("maps data errors to 400, conflicts to 409, outages to 503, and leaves bugs alone; never with the driver's text", () => {
    const pgError = (code: string, message = "") => ({ code, severity: "ERROR", message });
    expect(databaseProblem(pgError("22021", 'invalid byte sequence for encoding "UTF8": 0x00'))).toMatchObject({ status: 400 });
    expect(databaseProblem(pgError("22021", "0x00"))?.message).not.toMatch(/UTF8|0x00/);
    expect(databaseProblem(pgError("23505"))?.status).toBe(409);
    expect(databaseProblem(pgError("57P01"))?.status).toBe(503);
    expect(databaseProblem({ code: "P2010" })).toBeUndefined();
    expect(databaseProblem(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))?.status).toBe(503);
    expect(databaseProblem(pgError("42703"))).toBeUndefined();
  });
});
