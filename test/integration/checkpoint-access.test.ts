// A checkpoint's bytes are the weights of every release made from it, so they go only to the run's owner, admins
// acting as admins, and the worker holding the run's live lease; everyone else who reads runs sees the list
// (step, size, sha256) and nothing more. Called through the real routes with real tokens, on another user's run,
// and then through every other door to the same weights: a PRIVATE release's files, its Hub repository, a signed
// link, and a release made from the checkpoint by someone else.
import { describe, expect, it } from "vitest";
import { GET as resolve } from "../../app/[namespace]/[repo]/resolve/[revision]/[...file]/route";
import { POST as createReleaseRoute } from "../../app/api/v1/releases/route";
import { GET as releaseFile, HEAD as headReleaseFile } from "../../app/api/v1/releases/[id]/files/[path]/route";
import { POST as linkRoute } from "../../app/api/v1/releases/[id]/files/[path]/link/route";
import { GET as listCheckpoints } from "../../app/api/v1/runs/[id]/checkpoints/route";
import { GET as checkpoint, HEAD as headCheckpoint } from "../../app/api/v1/runs/[id]/checkpoints/[step]/route";
import { resolveActor } from "../../lib/auth/resolve-actor";
import { db } from "../../lib/db/client";
import { env } from "../../lib/env";
import { ZCreateRelease, ZPublish } from "../../lib/schemas/release";
import { ZRegisterWorker } from "../../lib/schemas/worker";
import { claimRun } from "../../lib/services/leases/claim";
import { createRelease, publishRelease } from "../../lib/services/releases/create-release";
import { transitionRun } from "../../lib/services/runs/transition-run";
import { createToken } from "../../lib/services/tokens/create-token";
import { registerWorker } from "../../lib/services/workers/register-worker";
import { makeCheckpoint } from "../support/checkpoints";
import { makeUser } from "../support/factories";
import { useJobRunner } from "../support/job-runner";

// Release files are read out of checkpoint tars by the job process.
useJobRunner();
import { makeRun } from "../support/runs";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type Who = Awaited<ReturnType<typeof makeUser>>;

const call = (h: Handler, method: string, params: Record<string, string | string[]>, secret: string | null, body?: unknown) =>
  h(new Request("http://localhost/x", { method, headers: { ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined }), { params: Promise.resolve(params) });
const tokenOf = async (who: Who, scopes: ("read" | "download" | "worker" | "admin" | "runs:write")[]) => (await createToken(who.ctx, { name: scopes.join("+"), scopes })).secret;

/** A worker of `owner`'s, registered with a real worker token, that claims `owner`'s queued run. */
async function leasingWorker(owner: Who) {
  const secret = await tokenOf(owner, ["worker"]);
  const actor = await resolveActor(new Headers({ authorization: `Bearer ${secret}` }));
  const ctx = { actor, ip: null };
  const { id } = await registerWorker(ctx, ZRegisterWorker.parse({ name: `w-${secret.slice(-6)}`, instanceId: `agent-${secret.slice(-8)}`, gpus: [], maxRuns: 1, executor: "LOCAL" }));
  const spec = (await claimRun(ctx, id))!;
  return { secret, ctx, spec };
}

describe("who downloads a checkpoint", () => {
  it("the owner (download scope), admins acting as admins and the lease holder; not other researchers, clinicians or a finished lease", async () => {
    const owner = await makeUser("RESEARCHER");
    const run = await makeRun(owner.ctx, { gpus: 0 });
    const worker = await leasingWorker(owner);
    expect(worker.spec.runId).toBe(run.id);
    const ckpt = await makeCheckpoint(run.id, 10);
    const admin = await makeUser("ADMIN");
    const researcher = await makeUser("RESEARCHER");
    const clinician = await makeUser("CLINICIAN");
    // Another researcher's worker, leasing a run of its own: its lease is not on this run.
    await makeRun(researcher.ctx, { gpus: 0 });
    const elsewhere = await leasingWorker(researcher);
    expect(elsewhere.spec.runId).not.toBe(run.id);
    const params = { id: run.id, step: "10" };
    const status = async (secret: string) => (await call(checkpoint, "GET", params, secret)).status;

    const mine = await call(checkpoint, "GET", params, await tokenOf(owner, ["download"]));
    expect(mine.status).toBe(200);
    expect(mine.headers.get("etag")).toBe(`"${ckpt.sha256}"`);
    expect((await mine.arrayBuffer()).byteLength).toBe(Number(ckpt.bytes));
    expect(await status(worker.secret)).toBe(200);
    expect(await status(await tokenOf(admin, ["admin"]))).toBe(200);

    const refused: [string, string][] = [
      ["owner, read scope only", await tokenOf(owner, ["read", "runs:write"])],
      ["another researcher", await tokenOf(researcher, ["read", "download", "runs:write"])],
      ["another researcher's worker", elsewhere.secret],
      ["a clinician", await tokenOf(clinician, ["read", "download"])],
      ["an admin's token without the admin scope", await tokenOf(admin, ["read", "download"])],
    ];
    for (const [who, secret] of refused) {
      const get = await call(checkpoint, "GET", params, secret);
      const head = await call(headCheckpoint, "HEAD", params, secret);
      expect([who, get.status, head.status]).toEqual([who, 403, 403]);
    }
    // Listing stays with those who read runs: the metadata, not the bytes.
    const list = await call(listCheckpoints, "GET", { id: run.id }, await tokenOf(researcher, ["read"]));
    expect(list.status).toBe(200);
    expect((await list.json()).checkpoints).toEqual([expect.objectContaining({ step: 10, sha256: ckpt.sha256, bytes: Number(ckpt.bytes) })]);

    // The run ends: the worker's lease is released, and with it the right to the bytes (a worker that held the
    // run's lease is told it no longer does: 409, see services/leases/fence.ts).
    await transitionRun(worker.ctx, run.id, { to: "RUNNING", reason: "", epoch: worker.spec.epoch });
    await transitionRun(worker.ctx, run.id, { to: "SUCCEEDED", reason: "done", epoch: worker.spec.epoch });
    expect(await status(worker.secret)).toBe(409);
  });
});

describe("every other door to a PRIVATE release's weights", () => {
  it("stays shut to a researcher the release doesn't name: its files, HEAD, the Hub API, a signed link, the checkpoint, and a release of their own from it", async () => {
    const owner = await makeUser("RESEARCHER");
    const run = await makeRun(owner.ctx, { gpus: 0 });
    await makeCheckpoint(run.id, 10);
    const r = await createRelease(owner.ctx, ZCreateRelease.parse({ runId: run.id, step: 10, name: `private-${run.id.slice(-8)}`, version: "1.0.0", license: "CC BY 4.0", policy: "PRIVATE", terms: "" }));
    await publishRelease(owner.ctx, r.id, ZPublish.parse({}));
    const outsider = await makeUser("RESEARCHER");
    const secret = await tokenOf(outsider, ["read", "download", "runs:write"]);
    const file = { id: r.id, path: "model.safetensors" };
    expect((await call(releaseFile, "GET", file, secret)).status).toBe(404);
    expect((await call(headReleaseFile, "HEAD", file, secret)).status).toBe(404);
    expect((await call(linkRoute, "POST", file, secret)).status).toBe(404);
    const hub = await call(resolve, "GET", { namespace: env().HUB_NAMESPACE, repo: r.name, revision: "main", file: ["model.safetensors"] }, secret);
    expect([hub.status, hub.headers.get("x-error-code")]).toEqual([404, "RepoNotFound"]);
    expect((await call(checkpoint, "GET", { id: run.id, step: "10" }, secret)).status).toBe(403);
    // A release of their own from the owner's checkpoint would serve them its files: refused, nothing made.
    const made = await call(createReleaseRoute, "POST", {}, secret, { runId: run.id, step: 10, name: `mine-${run.id.slice(-8)}`, version: "1.0.0", license: "CC BY 4.0", policy: "OPEN" });
    expect(made.status).toBe(403);
    expect(await db.release.count({ where: { runId: run.id } })).toBe(1);
    // Nothing they tried was a download.
    expect(await db.download.count({ where: { file: { releaseId: r.id } } })).toBe(0);
    // The owner still gets all of it.
    expect((await call(releaseFile, "GET", file, await tokenOf(owner, ["download"]))).status).toBe(200);
  });
});
