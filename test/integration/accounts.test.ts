import { describe, expect, it } from "vitest";
import { actorForUserId } from "../../lib/auth/resolve-actor";
import { db } from "../../lib/db/client";
import { DomainError } from "../../lib/errors";
import { ZRegister } from "../../lib/schemas/user";
import { completeSetup, createSetupLink } from "../../lib/services/setup/setup-link";
import { registerUser } from "../../lib/services/users/register-user";
import { updateUser } from "../../lib/services/users/update-user";
import { makeUser, uniqueEmail } from "../support/factories";

const anon = { actor: { kind: "anonymous" as const }, ip: "198.51.100.1" };

describe("registration", () => {
  it("makes a clinician at once, stores only a hash, and audits it", async () => {
    const email = uniqueEmail();
    const user = await registerUser(anon, ZRegister.parse({ email: email.toUpperCase(), name: "Ada", password: "long enough pw" }));
    expect(user.email).toBe(email);
    expect(user.role).toBe("CLINICIAN");
    expect(user.requestedRole).toBeNull();
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.passwordHash).not.toContain("long enough pw");
    const audit = await db.auditEvent.findFirst({ where: { targetId: user.id, action: "user.register" } });
    expect(audit?.ip).toBe("198.51.100.1");
  });

  it("leaves a researcher as clinician until an admin confirms", async () => {
    const user = await registerUser(anon, ZRegister.parse({ email: uniqueEmail(), name: "R", password: "long enough pw", role: "RESEARCHER" }));
    expect(user).toMatchObject({ role: "CLINICIAN", requestedRole: "RESEARCHER" });
    const admin = await makeUser("ADMIN");
    const confirmed = await updateUser(admin.ctx, user.id, { requestedRole: "approve" });
    expect(confirmed).toMatchObject({ role: "RESEARCHER", requestedRole: null });
    expect(await db.auditEvent.count({ where: { targetId: user.id, action: "user.role_request_approve", actorId: admin.user.id } })).toBe(1);
  });

  it("refuses a second account with the same email with 409 on the email field", async () => {
    const email = uniqueEmail();
    await registerUser(anon, ZRegister.parse({ email, name: "A", password: "long enough pw" }));
    const err = await registerUser(anon, ZRegister.parse({ email, name: "B", password: "long enough pw" })).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.status).toBe(409);
    expect(err.errors[0].field).toBe("email");
  });

  it("rejects self-registration as admin at the schema", () => {
    const r = ZRegister.safeParse({ email: uniqueEmail(), name: "x", password: "long enough pw", role: "ADMIN" });
    expect(r.success).toBe(false);
  });
});

describe("admin changes to users", () => {
  it("a disabled user's session resolves to nobody on the next request", async () => {
    const admin = await makeUser("ADMIN");
    const victim = await makeUser("RESEARCHER");
    expect((await actorForUserId(victim.user.id)).kind).toBe("user");
    await updateUser(admin.ctx, victim.user.id, { disabled: true });
    expect((await actorForUserId(victim.user.id)).kind).toBe("anonymous");
  });

  it("a non-admin cannot change roles", async () => {
    const researcher = await makeUser("RESEARCHER");
    const other = await makeUser("CLINICIAN");
    await expect(updateUser(researcher.ctx, other.user.id, { role: "ADMIN" })).rejects.toThrow(/not allowed/);
    expect((await db.user.findUniqueOrThrow({ where: { id: other.user.id } })).role).toBe("CLINICIAN");
  });

  it("an admin cannot disable themselves", async () => {
    const admin = await makeUser("ADMIN");
    await expect(updateUser(admin.ctx, admin.user.id, { disabled: true })).rejects.toThrow(/yourself/);
  });
});

describe("first-admin setup link", () => {
  it("works once, and creates exactly one admin", async () => {
    // Other files' databases are separate, so this database starts without admins.
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "RESEARCHER" } });
    const secret = await createSetupLink();
    expect(secret).toMatch(/^setup_/);
    const input = { token: secret!, email: uniqueEmail("first"), name: "First", password: "long enough pw" };
    const results = await Promise.allSettled([completeSetup(anon, input), completeSetup(anon, { ...input, email: uniqueEmail("second") })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.user.count({ where: { role: "ADMIN" } })).toBe(1);
    expect(await createSetupLink()).toBeNull();
    const again = await completeSetup(anon, input).catch((e) => e);
    expect(again.status).toBe(410);
  });
});
