// Marking notifications read is a write to one's own account: through the real route, a read-only token is
// refused and changes nothing; a token with the `tokens` scope (or a session) marks its owner's, never another's.
import { describe, expect, it } from "vitest";
import { POST as readRoute } from "../../app/api/v1/notifications/read/route";
import { db } from "../../lib/db/client";
import { createToken } from "../../lib/services/tokens/create-token";
import { makeUser } from "../support/factories";

const noParams = { params: Promise.resolve({}) };
const markRead = (secret: string) => readRoute(new Request("http://localhost/api/v1/notifications/read", { method: "POST", headers: { authorization: `Bearer ${secret}` } }), noParams);
const unread = (userId: string) => db.notification.count({ where: { userId, readAt: null } });

describe("marking notifications read", () => {
  it("needs the tokens scope: a read-only token gets 403 and nothing changes; the owner's own are marked, another user's are not", async () => {
    const me = await makeUser("CLINICIAN");
    const other = await makeUser("CLINICIAN");
    for (const u of [me, other]) {
      await db.notification.createMany({ data: [1, 2].map((i) => ({ userId: u.user.id, kind: "access.decision", text: `decision ${i}`, link: "/releases" })) });
    }
    const readOnly = (await createToken(me.ctx, { name: "ro", scopes: ["read"] })).secret;
    const download = (await createToken(me.ctx, { name: "dl", scopes: ["download"] })).secret;
    const account = (await createToken(me.ctx, { name: "acct", scopes: ["tokens"] })).secret;
    for (const secret of [readOnly, download]) {
      const res = await markRead(secret);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ status: 403, detail: expect.stringMatching(/notification write/) });
    }
    expect(await unread(me.user.id)).toBe(2);
    const ok = await markRead(account);
    expect(ok.status).toBe(200);
    expect(await unread(me.user.id)).toBe(0);
    expect(await unread(other.user.id)).toBe(2);
  });
});
