import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../lib/auth/password";

describe("password hashing", () => {
  it("verifies the right password and rejects others", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h.split("$")).toHaveLength(6);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h)).toBe(false);
    expect(await verifyPassword("", h)).toBe(false);
  });

  it("salts: the same password hashes differently each time", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("uses a memory-hard cost (scrypt N ≥ 2^15)", async () => {
    const [, n, r] = (await hashPassword("x".repeat(12))).split("$");
    expect(Number(n) * Number(r) * 128).toBeGreaterThanOrEqual(32 * 1024 * 1024);
  });

  it("a missing hash never verifies", async () => {
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(await verifyPassword("anything", "garbage")).toBe(false);
  });
});
