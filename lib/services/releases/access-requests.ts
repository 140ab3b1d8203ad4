// Access to GATED releases: a request (institution, role, intended use, the terms accepted, the owner's extra
// questions) is approved at once by the release's rules (roles; email domains for confirmed addresses only) or waits for an administrator, who
// approves or denies it with a reason, one or many at a time; grants may expire and are revoked at once. PRIVATE
// releases name their users. Each step notifies the other side in the app, and by email those who asked for it.
import "server-only";
import type { z } from "zod";
import { recordAudit, type ServiceContext } from "../../audit/record-audit";
import { assertCan, can, UnauthenticatedError, type Actor } from "../../auth/policy";
import { db, type Tx } from "../../db/client";
import { conflict, invalid, notFound } from "../../errors";
import { approvedByRules, type AutoApproveRules } from "../../releases/auto-approve";
import type { ZAccessQuery, ZDecide, ZGrantUser, ZRequestAccess } from "../../schemas/release";
import { mailAccessDecision } from "../mail/notify-by-mail";
import { assertVisible, releaseAccess } from "./release-access";

const DAY = 86_400_000;

function userOf(actor: Actor) {
  if (actor.kind !== "user") throw new UnauthenticatedError("Sign in to ask for access");
  return actor;
}

async function notify(tx: Tx, userIds: string[], kind: string, text: string, releaseId: string | null) {
  const link = releaseId ? `/releases/${releaseId}` : "/admin/access";
  if (userIds.length) await tx.notification.createMany({ data: userIds.map((userId) => ({ userId, kind, text: text.slice(0, 500), link })) });
  if (releaseId) await mailAccessDecision(tx, userIds, kind, text, releaseId);
}

async function visibleRelease(actor: Actor, id: string) {
  const r = await db.release.findUnique({ where: { id } });
  if (!r) throw notFound("Release");
  const access = await releaseAccess(actor, r);
  assertVisible(actor, access);
  return { r, access };
}

/** Accepting the current terms (OPEN releases need only this; a request accepts them too). */
export async function acceptTerms(ctx: ServiceContext, releaseId: string, termsVersion: string) {
  const user = userOf(ctx.actor);
  const { r } = await visibleRelease(ctx.actor, releaseId);
  if (termsVersion !== r.termsVersion) throw conflict(`The terms changed: read version ${r.termsVersion} and accept it`, [{ field: "termsVersion", message: `current is ${r.termsVersion}` }]);
  await db.$transaction(async (tx) => {
    await tx.termsAcceptance.upsert({ where: { releaseId_userId_termsVersion: { releaseId: r.id, userId: user.id, termsVersion } }, create: { releaseId: r.id, userId: user.id, termsVersion }, update: {} });
    await recordAudit(tx, ctx, { action: "release.terms_accept", targetType: "release", targetId: r.id, details: { termsVersion } });
  });
}

export async function requestAccess(ctx: ServiceContext, releaseId: string, input: z.output<typeof ZRequestAccess>) {
  const user = userOf(ctx.actor);
  const { r, access } = await visibleRelease(ctx.actor, releaseId);
  assertCan(ctx.actor, "access:request", { release: access });
  if (input.termsVersion !== r.termsVersion) throw conflict(`The terms changed: read version ${r.termsVersion} and accept it`, [{ field: "termsVersion", message: `current is ${r.termsVersion}` }]);
  const fields = (r.requestFields ?? []) as { name: string; label: string; required: boolean }[];
  const missing = fields.filter((f) => f.required && !input.answers[f.name]?.trim());
  const unknown = Object.keys(input.answers).filter((k) => !fields.some((f) => f.name === k));
  if (missing.length || unknown.length) {
    throw invalid("The request form is incomplete", [...missing.map((f) => ({ field: `answers.${f.name}`, message: `required: ${f.label}` })), ...unknown.map((k) => ({ field: `answers.${k}`, message: "not a question of this release" }))]);
  }
  if (access.grant === "active") throw conflict("You have access already");
  const proof = await db.user.findUnique({ where: { id: user.id }, select: { emailProof: true } });
  const auto = approvedByRules((r.autoApprove ?? {}) as AutoApproveRules, { role: user.role, email: user.email, emailProof: proof?.emailProof ?? null });
  return db.$transaction(async (tx) => {
    // One open request per person and release; a denied (or expired, revoked) person may apply again.
    const open = await tx.accessRequest.findFirst({ where: { releaseId: r.id, userId: user.id, status: "PENDING" }, select: { id: true } });
    if (open) throw conflict("Your request is waiting for a decision");
    const answers = { institution: input.institution, role: input.role, intendedUse: input.intendedUse, ...input.answers };
    const req = await tx.accessRequest.create({ data: { releaseId: r.id, userId: user.id, answers, termsVersion: r.termsVersion, status: auto ? "APPROVED" : "PENDING", ...(auto ? { decidedAt: new Date(), reason: "approved by the release's rules" } : {}) } });
    await tx.termsAcceptance.upsert({ where: { releaseId_userId_termsVersion: { releaseId: r.id, userId: user.id, termsVersion: r.termsVersion } }, create: { releaseId: r.id, userId: user.id, termsVersion: r.termsVersion }, update: {} });
    if (auto) {
      await tx.accessGrant.create({ data: { releaseId: r.id, userId: user.id, requestId: req.id } });
      await notify(tx, [user.id], "access.approved", `Your access to ${r.name} ${r.version} was approved`, r.id);
    } else {
      const admins = await tx.user.findMany({ where: { role: "ADMIN", disabled: false }, select: { id: true } });
      await notify(tx, admins.map((a) => a.id), "access.requested", `${user.email} asks for access to ${r.name} ${r.version}`, null);
    }
    await recordAudit(tx, ctx, { action: "access.request", targetType: "release", targetId: r.id, details: { request: req.id, auto } });
    return req;
  });
}

export async function decideRequests(ctx: ServiceContext, input: z.output<typeof ZDecide>) {
  assertCan(ctx.actor, "access:decide");
  const decider = userOf(ctx.actor);
  return db.$transaction(async (tx) => {
    const pending = await tx.accessRequest.findMany({ where: { id: { in: input.ids }, status: "PENDING" }, include: { release: { select: { id: true, name: true, version: true } } } });
    if (pending.length !== input.ids.length) {
      const found = new Set(pending.map((p) => p.id));
      throw conflict("Some requests are not waiting for a decision", input.ids.filter((i) => !found.has(i)).slice(0, 20).map((i) => ({ field: "ids", message: `${i}: not pending` })));
    }
    const now = new Date();
    for (const p of pending) {
      await tx.accessRequest.update({ where: { id: p.id }, data: { status: input.approve ? "APPROVED" : "DENIED", reason: input.reason || null, decidedById: decider.id, decidedAt: now } });
      if (input.approve) await tx.accessGrant.create({ data: { releaseId: p.releaseId, userId: p.userId, requestId: p.id, expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * DAY) : null } });
      const what = `${p.release.name} ${p.release.version}`;
      await notify(tx, [p.userId], input.approve ? "access.approved" : "access.denied", input.approve ? `Your access to ${what} was approved` : `Your request for ${what} was denied${input.reason ? `: ${input.reason}` : ""}`, p.releaseId);
      await recordAudit(tx, ctx, { action: input.approve ? "access.approve" : "access.deny", targetType: "access_request", targetId: p.id, details: { release: p.releaseId, reason: input.reason, expiresInDays: input.expiresInDays ?? null } });
    }
    return { decided: pending.length };
  });
}

/** Ends a grant at once: the next download (token or session) is refused. */
export async function revokeGrant(ctx: ServiceContext, grantId: string) {
  assertCan(ctx.actor, "access:decide");
  return db.$transaction(async (tx) => {
    const g = await tx.accessGrant.findUnique({ where: { id: grantId }, include: { release: { select: { name: true, version: true } } } });
    if (!g) throw notFound("Grant");
    if (g.revokedAt) return g;
    const out = await tx.accessGrant.update({ where: { id: grantId }, data: { revokedAt: new Date() } });
    await notify(tx, [g.userId], "access.revoked", `Your access to ${g.release.name} ${g.release.version} was revoked`, g.releaseId);
    await recordAudit(tx, ctx, { action: "access.revoke", targetType: "access_grant", targetId: grantId, details: { release: g.releaseId } });
    return out;
  });
}

/** Names a user on a release (PRIVATE releases; also a direct grant on a GATED one). Owner or admin. */
export async function grantUser(ctx: ServiceContext, releaseId: string, input: z.output<typeof ZGrantUser>) {
  const r = await db.release.findUnique({ where: { id: releaseId } });
  if (!r) throw notFound("Release");
  assertVisible(ctx.actor, await releaseAccess(ctx.actor, r));
  assertCan(ctx.actor, "release:write", { ownerId: r.createdById });
  const user = await db.user.findUnique({ where: { email: input.email.toLowerCase() }, select: { id: true } });
  if (!user) throw invalid("No user with that email", [{ field: "email", message: "no such user" }]);
  return db.$transaction(async (tx) => {
    const g = await tx.accessGrant.create({ data: { releaseId: r.id, userId: user.id, expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY) : null } });
    await notify(tx, [user.id], "access.approved", `You were given access to ${r.name} ${r.version}`, r.id);
    await recordAudit(tx, ctx, { action: "access.grant", targetType: "release", targetId: r.id, details: { user: user.id, grant: g.id } });
    return g;
  });
}

/** The admin queue (everyone's requests), or a person's own requests. */
export async function listRequests(actor: Actor, q: z.output<typeof ZAccessQuery>) {
  assertCan(actor, "access:request");
  const user = userOf(actor);
  const everyone = q.mine !== "true" && can(actor, "access:decide");
  const rows = await db.accessRequest.findMany({
    where: { ...(everyone ? {} : { userId: user.id }), ...(q.status ? { status: q.status } : {}) },
    orderBy: { createdAt: "desc" },
    take: 500,
    include: { release: { select: { name: true, version: true } }, user: { select: { email: true } }, grant: { select: { id: true, expiresAt: true, revokedAt: true } } },
  });
  return rows.map((r) => ({
    id: r.id, releaseId: r.releaseId, release: `${r.release.name}@${r.release.version}`, user: r.user.email, status: r.status,
    answers: r.answers as Record<string, unknown>, reason: r.reason, createdAt: r.createdAt.toISOString(), decidedAt: r.decidedAt?.toISOString() ?? null,
    grant: r.grant ? { id: r.grant.id, expiresAt: r.grant.expiresAt?.toISOString() ?? null, revokedAt: r.grant.revokedAt?.toISOString() ?? null } : null,
  }));
}

export async function listNotifications(actor: Actor) {
  const user = userOf(actor);
  assertCan(actor, "profile:read");
  const [rows, unread] = await Promise.all([
    db.notification.findMany({ where: { userId: user.id }, orderBy: { createdAt: "desc" }, take: 50 }),
    db.notification.count({ where: { userId: user.id, readAt: null } }),
  ]);
  return { notifications: rows.map((n) => ({ id: n.id, kind: n.kind, text: n.text, link: n.link, read: !!n.readAt, createdAt: n.createdAt.toISOString() })), unread };
}

export async function markNotificationsRead(actor: Actor) {
  const user = userOf(actor);
  assertCan(actor, "notification:write");
  await db.notification.updateMany({ where: { userId: user.id, readAt: null }, data: { readAt: new Date() } });
}
