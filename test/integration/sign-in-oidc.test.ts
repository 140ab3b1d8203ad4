import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { signInWithOidc } from "../../lib/services/sessions/sign-in-oidc";
import { makeUser, uniqueEmail } from "../support/factories";

const ISSUER = "https://idp.example.org";

describe("SSO sign-in", () => {
  it("creates a clinician on first login and finds them again by subject", async () => {
    const email = uniqueEmail("sso");
    const a = await signInWithOidc(ISSUER, { subject: `s-${email}`, email, emailVerified: true, name: "Sso" });
    const b = await signInWithOidc(ISSUER, { subject: `s-${email}`, email: "changed@example.org", emailVerified: true });
    expect(a?.role).toBe("CLINICIAN");
    expect(b?.id).toBe(a?.id);
  });

  it("links an existing account only on a verified email, and never an admin or disabled one", async () => {
    const researcher = await makeUser("RESEARCHER");
    expect(await signInWithOidc(ISSUER, { subject: "u1", email: researcher.user.email, emailVerified: false })).toBeNull();
    expect((await signInWithOidc(ISSUER, { subject: "u2", email: researcher.user.email, emailVerified: true }))?.id).toBe(researcher.user.id);
    const admin = await makeUser("ADMIN");
    expect(await signInWithOidc(ISSUER, { subject: "u3", email: admin.user.email, emailVerified: true })).toBeNull();
    const disabled = await makeUser("CLINICIAN", { disabled: true });
    expect(await signInWithOidc(ISSUER, { subject: "u4", email: disabled.user.email, emailVerified: true })).toBeNull();
    expect(await db.identity.count({ where: { subject: { in: ["u1", "u3", "u4"] } } })).toBe(0);
  });
});
