import { describe, expect, it } from "vitest";
import { resolveActor } from "../../lib/auth/resolve-actor";
import { db, pool } from "../../lib/db/client";
import { createToken } from "../../lib/services/tokens/create-token";
import { listTokens } from "../../lib/services/tokens/list-tokens";
import { revokeToken } from "../../lib/services/tokens/revoke-token";
import { updateUser } from "../../lib/services/users/update-user";
import { makeUser } from "../support/factories";

const bearer = (secret: string) => new Headers({ authorization: `Bearer ${secret}` });

describe("API tokens", () => {
  it("is shown once, stored as a hash, and authenticates as its owner with its scopes", async () => {
    const { ctx, user } = await makeUser("RESEARCHER");
    const t = await createToken(ctx, { name: "laptop", scopes: ["read", "runs:write"] });
    expect(t.secret).toMatch(/^hfk_/);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: t.id }, omit: { hash: false } });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(t.secret);
    // The hash itself stays out of every query that doesn't ask for it.
    expect(Object.keys(await db.apiToken.findUniqueOrThrow({ where: { id: t.id } }))).not.toContain("hash");
    const actor = await resolveActor(bearer(t.secret));
    expect(actor).toMatchObject({ kind: "user", id: user.id, token: { id: t.id, scopes: ["read", "runs:write"] } });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })).lastUsedAt).not.toBeNull();
  });

  it("stops working once revoked, expired, or its owner is disabled", async () => {
    const { ctx, user } = await makeUser("RESEARCHER");
    const revoked = await createToken(ctx, { name: "a", scopes: ["read"] });
    await revokeToken(ctx, revoked.id);
    await expect(resolveActor(bearer(revoked.secret))).rejects.toThrow(/revoked/);

    const expired = await createToken(ctx, { name: "b", scopes: ["read"], expiresInDays: 1 });
    await db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(resolveActor(bearer(expired.secret))).rejects.toThrow(/expired/);

    const live = await createToken(ctx, { name: "c", scopes: ["read"] });
    // A disabled account's tokens stop at once (and disabling through the service revokes them for good).
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    await expect(resolveActor(bearer(live.secret))).rejects.toThrow(/disabled/);
    await db.user.update({ where: { id: user.id }, data: { disabled: false } });
    const admin = await makeUser("ADMIN");
    await updateUser(admin.ctx, user.id, { disabled: true });
    await updateUser(admin.ctx, user.id, { disabled: false });
    await expect(resolveActor(bearer(live.secret))).rejects.toThrow(/revoked/);
  });

  it("rejects unknown and malformed tokens", async () => {
    await expect(resolveActor(bearer("hfk_not-a-real-token"))).rejects.toThrow(/not valid/);
    await expect(resolveActor(new Headers({ authorization: "Basic abc" }))).rejects.toThrow(/Bearer/);
  });

  it("never grants scopes the role cannot use, nor more than the creating token", async () => {
    const clinician = await makeUser("CLINICIAN");
    await expect(createToken(clinician.ctx, { name: "x", scopes: ["runs:write"] })).rejects.toMatchObject({ status: 400 });
    await expect(createToken(clinician.ctx, { name: "x", scopes: ["admin"] })).rejects.toMatchObject({ status: 400 });
    const admin = await makeUser("ADMIN");
    const adminToken = await createToken(admin.ctx, { name: "root", scopes: ["admin"] });
    const viaToken = await resolveActor(bearer(adminToken.secret));
    const child = await createToken({ actor: viaToken }, { name: "child", scopes: ["read", "download"] });
    expect(child.scopes).toEqual(["read", "download"]);
    const minter = await createToken(admin.ctx, { name: "minter", scopes: ["read", "tokens"] });
    await expect(createToken({ actor: await resolveActor(bearer(minter.secret)) }, { name: "escalate", scopes: ["admin"] })).rejects.toThrow(/not allowed/);
    // Minting at all needs the tokens scope: a read token reads.
    const readOnly = await createToken(admin.ctx, { name: "ro", scopes: ["read"] });
    await expect(createToken({ actor: await resolveActor(bearer(readOnly.secret)) }, { name: "x", scopes: ["read"] })).rejects.toThrow(/not allowed/);
  });

  it("a token-created token never outlives its parent", async () => {
    const admin = await makeUser("ADMIN");
    const parent = await createToken(admin.ctx, { name: "week", scopes: ["admin"], expiresInDays: 7 });
    const viaToken = await resolveActor(bearer(parent.secret));
    const forever = await createToken({ actor: viaToken }, { name: "forever", scopes: ["read"] });
    const longer = await createToken({ actor: viaToken }, { name: "year", scopes: ["read"], expiresInDays: 365 });
    const shorter = await createToken({ actor: viaToken }, { name: "day", scopes: ["read"], expiresInDays: 1 });
    expect(forever.expiresAt?.getTime()).toBe(parent.expiresAt?.getTime());
    expect(longer.expiresAt?.getTime()).toBe(parent.expiresAt?.getTime());
    expect(shorter.expiresAt!.getTime()).toBeLessThan(parent.expiresAt!.getTime());
  });

  it("revoking a token revokes every token minted from it, at any depth", async () => {
    const u = await makeUser("RESEARCHER");
    const parent = await createToken(u.ctx, { name: "parent", scopes: ["read", "tokens"] });
    const child = await createToken({ actor: await resolveActor(bearer(parent.secret)) }, { name: "child", scopes: ["read", "tokens"] });
    const grandchild = await createToken({ actor: await resolveActor(bearer(child.secret)) }, { name: "grandchild", scopes: ["read"] });
    const sibling = await createToken(u.ctx, { name: "sibling", scopes: ["read"] });
    await revokeToken(u.ctx, parent.id);
    for (const t of [parent, child, grandchild]) await expect(resolveActor(bearer(t.secret))).rejects.toThrow(/revoked/);
    expect((await resolveActor(bearer(sibling.secret))).kind).toBe("user");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { targetId: parent.id, action: "token.revoke" } });
    expect((audit.details as { alsoRevoked: string[] }).alsoRevoked.sort()).toEqual([child.id, grandchild.id].sort());
  });

  it("a child whose mint is in flight when the parent is revoked is revoked too (the walk repeats)", async () => {
    const u = await makeUser("RESEARCHER");
    const parent = await createToken(u.ctx, { name: "parent", scopes: ["read", "tokens"] });
    // A mint in flight: it holds the parent FOR SHARE and has inserted its child, not committed yet.
    const minting = await pool().connect();
    await minting.query("BEGIN");
    await minting.query(`SELECT 1 FROM "ApiToken" WHERE id = $1 FOR SHARE`, [parent.id]);
    await minting.query(`INSERT INTO "ApiToken" (id, "userId", name, prefix, hash, scopes, "parentId") VALUES ('inflight-' || $1, $2, 'child', 'hfk_x', md5($1), '{read}', $1)`, [parent.id, u.user.id]);
    const revoking = revokeToken(u.ctx, parent.id);
    await new Promise((r) => setTimeout(r, 300));
    await minting.query("COMMIT");
    minting.release();
    await revoking;
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: `inflight-${parent.id}` } })).revokedAt).not.toBeNull();
  });

  it("a child minted while its parent is being revoked is revoked with it", async () => {
    const u = await makeUser("RESEARCHER");
    const parent = await createToken(u.ctx, { name: "parent", scopes: ["read", "tokens"] });
    const viaParent = await resolveActor(bearer(parent.secret));
    const [minted] = await Promise.allSettled([
      createToken({ actor: viaParent }, { name: "racer", scopes: ["read"] }),
      revokeToken(u.ctx, parent.id),
    ]);
    if (minted.status === "fulfilled") await expect(resolveActor(bearer(minted.value.secret))).rejects.toThrow(/revoked/);
    else expect(String(minted.reason)).toMatch(/revoked/);
    expect(await db.apiToken.count({ where: { parentId: parent.id, revokedAt: null } })).toBe(0);
  });

  it("a read-only admin token neither lists nor revokes anyone's tokens", async () => {
    const admin = await makeUser("ADMIN");
    const victim = await makeUser("RESEARCHER");
    const vt = await createToken(victim.ctx, { name: "victim's", scopes: ["read"] });
    const ro = await resolveActor(bearer((await createToken(admin.ctx, { name: "ro", scopes: ["read"] })).secret));
    await expect(listTokens(ro, true)).rejects.toMatchObject({ action: "token:admin" });
    await expect(revokeToken({ actor: ro }, vt.id)).rejects.toMatchObject({ status: 404 });
    const own = await createToken(admin.ctx, { name: "own", scopes: ["read"] });
    await expect(revokeToken({ actor: ro }, own.id)).rejects.toMatchObject({ action: "token:write" });
    expect((await resolveActor(bearer(vt.secret))).kind).toBe("user");
    expect((await resolveActor(bearer(own.secret))).kind).toBe("user");
    // With the admin scope it can.
    const full = await resolveActor(bearer((await createToken(admin.ctx, { name: "full", scopes: ["admin"] })).secret));
    expect((await listTokens(full, true)).map((t) => t.id)).toContain(vt.id);
    expect((await revokeToken({ actor: full }, vt.id)).revokedAt).not.toBeNull();
  });

  it("hides other users' tokens: listing shows only your own and revoking theirs is 404", async () => {
    const a = await makeUser("RESEARCHER");
    const b = await makeUser("RESEARCHER");
    const tb = await createToken(b.ctx, { name: "b's", scopes: ["read"] });
    expect((await listTokens(a.actor)).map((t) => t.id)).not.toContain(tb.id);
    await expect(listTokens(a.actor, true)).rejects.toMatchObject({ action: "token:admin" });
    await expect(revokeToken(a.ctx, tb.id)).rejects.toMatchObject({ status: 404 });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: tb.id } })).revokedAt).toBeNull();
    const admin = await makeUser("ADMIN");
    expect((await listTokens(admin.actor, true)).map((t) => t.id)).toContain(tb.id);
    await revokeToken(admin.ctx, tb.id);
    expect(await db.auditEvent.count({ where: { targetId: tb.id, action: "token.revoke", actorId: admin.user.id } })).toBe(1);
  });
});
