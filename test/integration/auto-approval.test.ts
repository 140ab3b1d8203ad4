// A GATED release's email-domain rule approves only addresses their owner proved: asserted by SSO or confirmed by
// an emailed link. Each kind of account is made the way it is in real life (registration, SSO with and without a
// verified address, the CLI's admin create) and asks for access to another user's release.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { ZRegister } from "../../lib/schemas/user";
import { deliverQueuedMail } from "../../lib/services/mail/deliver-queued-mail";
import { getRelease } from "../../lib/services/releases/read-releases";
import { signInWithOidc } from "../../lib/services/sessions/sign-in-oidc";
import { confirmEmail } from "../../lib/services/users/confirm-email";
import { createAdmin } from "../../lib/services/users/create-admin";
import { registerUser } from "../../lib/services/users/register-user";
import { makeUser } from "../support/factories";
import { askForAccess, publishedRelease } from "../support/gated-release";
import { useJobRunner } from "../support/job-runner";

// Release files are read out of checkpoint tars by the job process.
useJobRunner();
import { linkIn, startMailCatcher, tokenOf } from "../support/mail-catcher";

const DOMAIN = "uni-hospital.example";
const ISSUER = "https://idp.example.org";
let smtp: Awaited<ReturnType<typeof startMailCatcher>>;
let n = 0;
const at = (host = DOMAIN) => `person${n++}-${Date.now().toString(36)}@${host}`;
const actorOf = (u: { id: string; email: string; role: "ADMIN" | "RESEARCHER" | "CLINICIAN" }) => ({ ctx: { actor: { kind: "user" as const, id: u.id, email: u.email, role: u.role }, ip: "192.0.2.1" } });

async function selfRegistered(email = at()) {
  await registerUser({ actor: { kind: "anonymous" }, ip: `198.51.100.${n % 250}` }, ZRegister.parse({ email, name: "Someone", password: "long enough pw" }));
  return db.user.findUniqueOrThrow({ where: { email } });
}

async function confirmedByLink(email = at()) {
  const user = await selfRegistered(email);
  await deliverQueuedMail();
  await confirmEmail({ actor: { kind: "anonymous" } }, tokenOf(linkIn(smtp.to(email).at(-1)!, "/confirm-email#token=")));
  return db.user.findUniqueOrThrow({ where: { id: user.id } });
}

async function viaSso(emailVerified: boolean, email = at()) {
  const s = await signInWithOidc(ISSUER, { subject: `sub-${email}`, email, emailVerified });
  return s!.user;
}

beforeAll(async () => {
  smtp = await startMailCatcher();
  setEnv({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_SECURE: "none" });
});
afterAll(async () => {
  await smtp.stop();
  setEnv({ SMTP_HOST: "" });
});

describe("auto-approval by email domain", () => {
  it("approves SSO-asserted and link-confirmed addresses, never ones nobody proved", async () => {
    const owner = await makeUser("RESEARCHER");
    const { r } = await publishedRelease(owner, { autoApprove: { domains: [DOMAIN] } });
    const status = async (u: Parameters<typeof actorOf>[0]) => (await askForAccess(r.id, actorOf(u))).status;

    expect(await status(await selfRegistered())).toBe("PENDING");
    expect(await status(await confirmedByLink())).toBe("APPROVED");
    expect(await status(await confirmedByLink(at(`radiology.${DOMAIN}`)))).toBe("APPROVED");
    expect(await status(await confirmedByLink(at(`evil-${DOMAIN}`)))).toBe("PENDING");
    expect(await status(await viaSso(true))).toBe("APPROVED");
    expect(await status(await viaSso(false))).toBe("PENDING");
    // An admin's account made with the CLI: its address is someone's word, not a proof.
    const cliEmail = at();
    await createAdmin({ actor: { kind: "system", label: "cli" } }, { email: cliEmail, name: "Made by the CLI", password: "long enough pw" });
    const cliMade = await db.user.findUniqueOrThrow({ where: { email: cliEmail } });
    expect(cliMade).toMatchObject({ emailProof: "ASSIGNED", emailVerifiedAt: expect.any(Date) });
    expect(await status(cliMade)).toBe("PENDING");
    const approved = await db.accessGrant.count({ where: { releaseId: r.id } });
    expect(approved).toBe(3);
  });

  it("an unconfirmed person's request waits; confirmed by the emailed link, their next request is approved at once", async () => {
    const owner = await makeUser("RESEARCHER");
    const first = await publishedRelease(owner, { autoApprove: { domains: [DOMAIN] } });
    const second = await publishedRelease(owner, { autoApprove: { domains: [DOMAIN] } });
    const person = await selfRegistered();
    expect((await askForAccess(first.r.id, actorOf(person))).status).toBe("PENDING");
    await deliverQueuedMail();
    await confirmEmail({ actor: { kind: "anonymous" } }, tokenOf(linkIn(smtp.to(person.email).at(-1)!, "/confirm-email#token=")));
    expect((await askForAccess(second.r.id, actorOf(person))).status).toBe("APPROVED");
  });

  it("role rules are unaffected: they approve unconfirmed addresses as before", async () => {
    const owner = await makeUser("RESEARCHER");
    const { r } = await publishedRelease(owner, { autoApprove: { roles: ["CLINICIAN"] } });
    expect((await askForAccess(r.id, actorOf(await selfRegistered(at("anywhere.example"))))).status).toBe("APPROVED");
  });

  it("an account an admin made becomes SSO-proven when its provider asserts the address at sign-in", async () => {
    const owner = await makeUser("RESEARCHER");
    const { r } = await publishedRelease(owner, { autoApprove: { domains: [DOMAIN] } });
    const person = await makeUser("CLINICIAN", { email: at(), emailProof: "ASSIGNED" });
    expect((await askForAccess(r.id, person)).status).toBe("PENDING");
    await viaSso(true, person.user.email);
    expect((await db.user.findUniqueOrThrow({ where: { id: person.user.id } })).emailProof).toBe("SSO");
    const other = await publishedRelease(owner, { autoApprove: { domains: [DOMAIN] } });
    expect((await askForAccess(other.r.id, person)).status).toBe("APPROVED");
  });

  it("without SMTP the rule still approves SSO-verified accounts only", async () => {
    setEnv({ SMTP_HOST: "" });
    try {
      const owner = await makeUser("RESEARCHER");
      const { r } = await publishedRelease(owner, { autoApprove: { domains: [DOMAIN] } });
      expect((await askForAccess(r.id, actorOf(await selfRegistered()))).status).toBe("PENDING");
      expect((await askForAccess(r.id, actorOf(await viaSso(true)))).status).toBe("APPROVED");
    } finally {
      setEnv({ SMTP_HOST: "127.0.0.1" });
    }
  });

  it("shows the rules to the release's maker only", async () => {
    const owner = await makeUser("RESEARCHER");
    const reader = await makeUser("CLINICIAN");
    const { r } = await publishedRelease(owner, { autoApprove: { roles: ["RESEARCHER"], domains: [DOMAIN] } });
    expect((await getRelease(owner.actor, r.id)).autoApprove).toEqual({ roles: ["RESEARCHER"], domains: [DOMAIN] });
    expect((await getRelease(reader.actor, r.id)).autoApprove).toBeNull();
  });
});
