// Notification mails follow the in-app notifications (access decisions) and run failures, for people who asked
// for them and whose address is confirmed, and are queued in the event's transaction. Read from a real SMTP server.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerActor } from "../../lib/auth/policy";
import { db } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { ZDecide } from "../../lib/schemas/release";
import { ZRegisterWorker } from "../../lib/schemas/worker";
import { claimRun } from "../../lib/services/leases/claim";
import { sweepExpiredLeases } from "../../lib/services/leases/expire";
import { deliverQueuedMail } from "../../lib/services/mail/deliver-queued-mail";
import { decideRequests, grantUser, listNotifications, listRequests, revokeGrant } from "../../lib/services/releases/access-requests";
import { transitionRun } from "../../lib/services/runs/transition-run";
import { updateSelf } from "../../lib/services/users/update-self";
import { registerWorker } from "../../lib/services/workers/register-worker";
import { makeUser } from "../support/factories";
import { askForAccess, publishedRelease } from "../support/gated-release";
import { startMailCatcher } from "../support/mail-catcher";
import { useJobRunner } from "../support/job-runner";

// Release files are read out of checkpoint tars by the job process.
useJobRunner();
import { makeRun } from "../support/runs";

const PUBLIC = "https://hounsfield.example.org";
let smtp: Awaited<ReturnType<typeof startMailCatcher>>;

/** A person who asked for these mails, with a confirmed address. */
async function subscriber(role: "ADMIN" | "CLINICIAN" | "RESEARCHER", prefs: { mailAccessDecisions?: boolean; mailRunFailures?: boolean }, proof: "LINK" | "SSO" | null = "LINK") {
  const who = await makeUser(role, proof ? { emailProof: proof } : {});
  await updateSelf(who.ctx, prefs);
  return who;
}

async function mailsTo(email: string) {
  await deliverQueuedMail();
  return smtp.to(email);
}

beforeAll(async () => {
  smtp = await startMailCatcher();
  setEnv({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_SECURE: "none", NEXTAUTH_URL: PUBLIC });
});
afterAll(async () => {
  await smtp.stop();
  setEnv({ SMTP_HOST: "", NEXTAUTH_URL: "" });
});

describe("access decision mails", () => {
  it("tell a subscribed requester of approval, denial (with the reason) and revocation, with the release's link", async () => {
    const owner = await makeUser("RESEARCHER");
    // An admin who asked for decision mails: new requests reach admins in the app only.
    const admin = await subscriber("ADMIN", { mailAccessDecisions: true });
    const requester = await subscriber("CLINICIAN", { mailAccessDecisions: true });
    const { r } = await publishedRelease(owner);
    const first = await askForAccess(r.id, requester);
    expect(await mailsTo(requester.user.email)).toEqual([]); // a request is not a decision
    await decideRequests(admin.ctx, ZDecide.parse({ ids: [first.id], approve: true }));
    const grant = (await listRequests(admin.actor, {})).find((x) => x.id === first.id)!.grant!;
    await revokeGrant(admin.ctx, grant.id);
    const again = await askForAccess(r.id, requester);
    await decideRequests(admin.ctx, ZDecide.parse({ ids: [again.id], approve: false, reason: "no institution email" }));
    const mails = await mailsTo(requester.user.email);
    expect(mails.map((m) => m.subject)).toEqual(["Your Hounsfield access was approved", "Your Hounsfield access was revoked", "Your Hounsfield access request was denied"]);
    expect(mails[0].text).toContain(`Your access to ${r.name} 1.0.0 was approved.`);
    expect(mails[2].text).toContain(`Your request for ${r.name} 1.0.0 was denied: no institution email.`);
    for (const m of mails) expect(m.text).toContain(`${PUBLIC}/releases/${r.id}`);
    // The same events, in the app: mail follows them, it doesn't replace them.
    expect((await listNotifications(requester.actor)).notifications.map((n) => n.kind)).toEqual(["access.denied", "access.revoked", "access.approved"]);
    expect((await listNotifications(admin.actor)).notifications.map((n) => n.kind)).toContain("access.requested");
    expect(await mailsTo(admin.user.email)).toEqual([]);
  });

  it("come for approvals by the release's rules and for a grant by name; never to those who didn't ask or aren't confirmed", async () => {
    const owner = await makeUser("RESEARCHER");
    const { r } = await publishedRelease(owner, { autoApprove: { roles: ["CLINICIAN"] } });
    const subscribed = await subscriber("CLINICIAN", { mailAccessDecisions: true });
    const silent = await subscriber("CLINICIAN", { mailAccessDecisions: false });
    const unconfirmed = await subscriber("CLINICIAN", { mailAccessDecisions: true }, null);
    for (const who of [subscribed, silent, unconfirmed]) expect((await askForAccess(r.id, who)).status).toBe("APPROVED");
    const named = await subscriber("RESEARCHER", { mailAccessDecisions: true }, "SSO");
    const priv = await publishedRelease(owner, { policy: "PRIVATE" });
    await grantUser(owner.ctx, priv.r.id, { email: named.user.email });
    expect((await mailsTo(subscribed.user.email)).map((m) => m.subject)).toEqual(["Your Hounsfield access was approved"]);
    expect((await mailsTo(named.user.email))[0].text).toContain(`You were given access to ${priv.r.name} 1.0.0.`);
    expect(await mailsTo(silent.user.email)).toEqual([]);
    expect(await mailsTo(unconfirmed.user.email)).toEqual([]);
  });
});

describe("run failure mails", () => {
  /** A worker as its agent sees it: its own worker token, registered. */
  async function worker() {
    const { user } = await makeUser("ADMIN");
    const token = await db.apiToken.create({ data: { userId: user.id, name: "agent", prefix: "hfk_x", hash: createHash("sha256").update(Math.random().toString()).digest("hex"), scopes: ["worker"] } });
    const actor: WorkerActor = { kind: "worker", tokenId: token.id, userId: user.id, email: user.email, role: user.role, workerId: null };
    const ctx = { actor, ip: "198.51.100.4" };
    const { id } = await registerWorker(ctx, ZRegisterWorker.parse({ name: `w-${token.id}`, instanceId: `agent-${token.id}`, maxRuns: 1 }));
    return { id, ctx };
  }

  it("tell a subscribed owner that a run failed (without the worker's words) or was lost; not a run that succeeded", async () => {
    const owner = await subscriber("RESEARCHER", { mailRunFailures: true });
    const failed = await makeRun(owner.ctx, { name: "lung pretrain", gpus: 0 });
    await transitionRun(owner.ctx, failed.id, { to: "STARTING", reason: "" });
    await transitionRun(owner.ctx, failed.id, { to: "RUNNING", reason: "" });
    await transitionRun(owner.ctx, failed.id, { to: "FAILED", reason: "CUDA out of memory: visit http://evil.example to fix" });
    const done = await makeRun(owner.ctx, { name: "fine run", gpus: 0 });
    for (const to of ["STARTING", "RUNNING", "SUCCEEDED"] as const) await transitionRun(owner.ctx, done.id, { to, reason: "" });

    // The queue is this file's: nothing but the next run is claimable.
    await db.run.updateMany({ where: { status: "QUEUED" }, data: { archivedAt: new Date() } });
    const lost = await makeRun(owner.ctx, { name: "liver pretrain", gpus: 0 });
    const w = await worker();
    const spec = (await claimRun(w.ctx, w.id))!;
    expect(spec.runId).toBe(lost.id);
    await transitionRun(w.ctx, lost.id, { to: "RUNNING", reason: "", epoch: spec.epoch });
    await db.lease.updateMany({ where: { runId: lost.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await sweepExpiredLeases();

    const mails = await mailsTo(owner.user.email);
    expect(mails.map((m) => m.subject)).toEqual(["Run lung pretrain failed (Hounsfield)", "Run liver pretrain was lost (Hounsfield)"]);
    expect(mails[0].text).toContain(`${PUBLIC}/runs/${failed.id}`);
    expect(mails[1].text).toContain(`${PUBLIC}/runs/${lost.id}`);
    for (const m of mails) expect(`${m.text}${m.html}`).not.toMatch(/evil|CUDA/);
  });

  it("stay away from owners who didn't ask", async () => {
    const owner = await subscriber("RESEARCHER", { mailRunFailures: false, mailAccessDecisions: true });
    const run = await makeRun(owner.ctx, { gpus: 0 });
    await transitionRun(owner.ctx, run.id, { to: "STARTING", reason: "" });
    await transitionRun(owner.ctx, run.id, { to: "FAILED", reason: "" });
    expect(await mailsTo(owner.user.email)).toEqual([]);
  });
});
