// Every route that serves a file, called as the server calls it (a Request with a real token, the route module's
// own handler for the method) on another user's objects: HEAD answers the headers a GET would, with no body,
// no Download row and nothing rendered; a Range from the end of the file on is a 416 naming the size.
import { describe, expect, it } from "vitest";
import { GET as downloadLink, HEAD as headLink } from "../../app/api/v1/downloads/[token]/route";
import { GET as releaseFile, HEAD as headReleaseFile } from "../../app/api/v1/releases/[id]/files/[path]/route";
import { GET as checkpoint, HEAD as headCheckpoint } from "../../app/api/v1/runs/[id]/checkpoints/[step]/route";
import { GET as runVolume, HEAD as headRunVolume } from "../../app/api/v1/runs/[id]/volumes/[sha256]/route";
import { HEAD as headPreview } from "../../app/api/v1/scans/[id]/preview/route";
import { HEAD as headScanVolume } from "../../app/api/v1/scans/[id]/volume/route";
import { GET as resolve, HEAD as headResolve } from "../../app/[namespace]/[repo]/resolve/[revision]/[...file]/route";
import { db } from "../../lib/db/client";
import { env } from "../../lib/env";
import { ZCreateRelease, ZPublish } from "../../lib/schemas/release";
import { createRelease, publishRelease } from "../../lib/services/releases/create-release";
import { createDownloadLink } from "../../lib/services/releases/release-downloads";
import { createToken } from "../../lib/services/tokens/create-token";
import { makeCheckpoint } from "../support/checkpoints";
import { makeUser } from "../support/factories";
import { makeRun } from "../support/runs";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

const call = (h: Handler, method: "GET" | "HEAD", url: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
  h(new Request(`http://localhost${url}`, { method, headers }), { params: Promise.resolve(params) });

/** Another researcher's run with a checkpoint, published as an OPEN release; a clinician who downloads it. */
async function world() {
  const owner = await makeUser("RESEARCHER");
  const run = await makeRun(owner.ctx, { gpus: 0 });
  const ckpt = await makeCheckpoint(run.id, 10);
  const r = await createRelease(owner.ctx, ZCreateRelease.parse({ runId: run.id, step: 10, name: `files-${run.id.slice(-8)}`, version: "1.0.0", license: "CC BY 4.0", policy: "OPEN", terms: "" }));
  await publishRelease(owner.ctx, r.id, ZPublish.parse({}));
  const ownerToken = { authorization: `Bearer ${(await createToken(owner.ctx, { name: "owner", scopes: ["read", "download"] })).secret}` };
  const reader = await makeUser("CLINICIAN");
  const readerToken = { authorization: `Bearer ${(await createToken(reader.ctx, { name: "reader", scopes: ["read", "download"] })).secret}` };
  const weights = await db.releaseFile.findFirstOrThrow({ where: { releaseId: r.id, path: "model.safetensors" } });
  const link = (await createDownloadLink(reader.ctx, r.id, "model.safetensors")).url.split("/").pop()!;
  const scan = await db.scan.findFirstOrThrow({ where: { datasetVersionId: (run.datasetMix as { versionId: string }[])[0].versionId } });
  return { owner, run, ckpt, r, ownerToken, reader, readerToken, weights, link, scan };
}

const downloads = (releaseId: string) => db.download.count({ where: { file: { releaseId } } });

describe("HEAD on file routes", () => {
  it("answers a GET's headers with no body, records no download and asks for no preview or export, on every file route", async () => {
    const w = await world();
    const before = await downloads(w.r.id);
    const size = Number(w.weights.bytes);
    const hubParams = { namespace: env().HUB_NAMESPACE, repo: w.r.name, revision: "main", file: ["model.safetensors"] };
    const heads: [string, Response, Response, number][] = [
      ["release file", await call(headReleaseFile, "HEAD", "/x", { id: w.r.id, path: "model.safetensors" }, w.readerToken), await call(releaseFile, "GET", "/x", { id: w.r.id, path: "model.safetensors" }, w.readerToken), size],
      ["signed link", await call(headLink, "HEAD", "/x", { token: w.link }), await call(downloadLink, "GET", "/x", { token: w.link }), size],
      ["hub resolve", await call(headResolve, "HEAD", "/x", hubParams, w.readerToken), await call(resolve, "GET", "/x", hubParams, w.readerToken), size],
      ["checkpoint", await call(headCheckpoint, "HEAD", "/x", { id: w.run.id, step: "10" }, w.ownerToken), await call(checkpoint, "GET", "/x", { id: w.run.id, step: "10" }, w.ownerToken), Number(w.ckpt.bytes)],
      ["run volume", await call(headRunVolume, "HEAD", "/x", { id: w.run.id, sha256: w.scan.sha256 }, w.ownerToken), await call(runVolume, "GET", "/x", { id: w.run.id, sha256: w.scan.sha256 }, w.ownerToken), Number(w.scan.bytes)],
    ];
    for (const [what, head, get, bytes] of heads) {
      expect([what, head.status, head.body]).toEqual([what, 200, null]);
      expect([what, head.headers.get("content-length"), head.headers.get("etag")]).toEqual([what, String(bytes), get.headers.get("etag")]);
      expect([what, (await get.arrayBuffer()).byteLength]).toEqual([what, bytes]);
    }
    // Only the three GETs of release bytes were downloads.
    expect((await downloads(w.r.id)) - before).toBe(3);

    // A scan's preview and NIfTI export are made by the job process on a GET's first request: a HEAD asks for neither.
    const headPng = await call(headPreview, "HEAD", `/x?plane=sagittal&window=bone`, { id: w.scan.id }, w.readerToken);
    expect([headPng.status, headPng.body, headPng.headers.get("content-type")]).toEqual([200, null, "image/png"]);
    const headNifti = await call(headScanVolume, "HEAD", "/x", { id: w.scan.id }, w.readerToken);
    expect([headNifti.status, headNifti.body, headNifti.headers.get("content-disposition")]).toEqual([200, null, `attachment; filename="${w.scan.id}.nii.gz"`]);
    expect(await db.job.count({ where: { key: { in: [`preview:${w.scan.id}`, `export:${w.scan.id}`] } } })).toBe(0);
  });

  it("is decided like a GET: a caller who may not download hears so from HEAD too", async () => {
    const w = await world();
    const readOnly = { authorization: `Bearer ${(await createToken(w.reader.ctx, { name: "ro", scopes: ["read"] })).secret}` };
    expect((await call(headReleaseFile, "HEAD", "/x", { id: w.r.id, path: "model.safetensors" }, readOnly)).status).toBe(403);
    expect((await call(headLink, "HEAD", "/x", { token: `${w.link}x` })).status).toBe(403);
    expect((await call(headPreview, "HEAD", "/x?plane=axial&window=lung", { id: "nope" }, w.readerToken)).status).toBe(404);
  });
});

describe("ranges past the end", () => {
  it("are a 416 with the file's size on every ranged file route; a range that fits is a 206", async () => {
    const w = await world();
    const size = Number(w.weights.bytes);
    const hub = (file: string) => ({ namespace: env().HUB_NAMESPACE, repo: w.r.name, revision: "main", file: [file] });
    const routes: [string, Handler, Record<string, string | string[]>, Record<string, string>, number][] = [
      ["release file", releaseFile, { id: w.r.id, path: "model.safetensors" }, w.readerToken, size],
      ["signed link", downloadLink, { token: w.link }, {}, size],
      ["hub resolve", resolve, hub("model.safetensors"), w.readerToken, size],
      ["checkpoint", checkpoint, { id: w.run.id, step: "10" }, w.ownerToken, Number(w.ckpt.bytes)],
      ["run volume", runVolume, { id: w.run.id, sha256: w.scan.sha256 }, w.ownerToken, Number(w.scan.bytes)],
    ];
    const before = await downloads(w.r.id);
    for (const [what, h, params, auth, bytes] of routes) {
      for (const range of [`bytes=${bytes}-`, `bytes=${bytes + 100}-`, `bytes=${bytes}-${bytes + 5}`, "bytes=5-2"]) {
        const res = await call(h, "GET", "/x", params, { ...auth, range });
        expect([what, range, res.status, res.headers.get("content-range")]).toEqual([what, range, 416, `bytes */${bytes}`]);
        expect((await res.json()).errors).toEqual([{ field: "range", message: `this file has ${bytes} bytes` }]);
      }
      const tail = await call(h, "GET", "/x", params, { ...auth, range: `bytes=${bytes - 3}-` });
      expect([what, tail.status, tail.headers.get("content-range"), (await tail.arrayBuffer()).byteLength]).toEqual([what, 206, `bytes ${bytes - 3}-${bytes - 1}/${bytes}`, 3]);
    }
    // A refused range downloads nothing; the three tails were downloads.
    expect((await downloads(w.r.id)) - before).toBe(3);
  });
});
