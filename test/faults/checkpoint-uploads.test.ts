// Checkpoint uploads as tus-js-client (the agent's own client) makes them, against the real server: an upload
// cut off mid-way resumes from the server's offset and the stored bytes hash to what was declared; wrong bytes,
// a stale lease or someone else's token store nothing.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Upload } from "tus-js-client";
import { describe, expect, it } from "vitest";
import { materializeVolumes } from "../../workers/agent/volumes";
import { faultServer } from "./support/harness";

const fault = faultServer({ LEASE_SWEEP_SECONDS: "0.5" });

const MIB = 2 ** 20;

/** A worker of its own with a claimed run: what an agent holds while it uploads. */
async function leasedRun() {
  const token = (await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "uploader", scopes: ["worker"] })).body.secret;
  const call = (method: string, url: string, body?: unknown) =>
    fetch(`${fault.server.baseUrl}/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body ?? {}) }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const instanceId = `uploader-${randomBytes(6).toString("hex")}`;
  const worker = (await call("POST", "/workers", { name: instanceId, instanceId })).body.id as string;
  const runId = await fault.h.newRun("uploads", { steps: 5 });
  const claimed = (await call("POST", `/workers/${worker}/claim`, { instanceId })).body.run;
  expect(claimed.runId).toBe(runId);
  return { token, runId, epoch: claimed.epoch as number };
}

function upload(file: string, o: { token: string; meta: Record<string, string>; url?: string; stopAfterBytes?: number; chunkSize?: number }) {
  return new Promise<{ url: string | null; startedAt: number; error?: { status: number; body: string } }>((resolve) => {
    let startedAt = -1;
    const u: Upload = new Upload(createReadStream(file), {
      endpoint: `${fault.server.baseUrl}/api/v1/uploads`,
      uploadUrl: o.url ?? null,
      chunkSize: o.chunkSize ?? MIB,
      metadata: o.meta,
      headers: { authorization: `Bearer ${o.token}` },
      storeFingerprintForResuming: false,
      retryDelays: [],
      onProgress: (sent) => {
        if (startedAt < 0) startedAt = sent;
      },
      onChunkComplete: (_chunk, accepted) => {
        if (o.stopAfterBytes && accepted >= o.stopAfterBytes) void u.abort().then(() => resolve({ url: u.url, startedAt }));
      },
      onSuccess: () => resolve({ url: u.url, startedAt }),
      onError: (err) => {
        const res = (err as { originalResponse?: { getStatus(): number; getBody(): string } }).originalResponse;
        resolve({ url: u.url, startedAt, error: { status: res?.getStatus() ?? 0, body: res?.getBody() ?? err.message } });
      },
    });
    u.start();
  });
}

describe("checkpoint uploads", () => {
  it("an upload cut off after 2 MiB resumes from the server's offset; the stored checkpoint is byte-identical", async () => {
    const { token, runId, epoch } = await leasedRun();
    const bytes = randomBytes(5 * MIB + 123);
    const file = path.join(fault.h.workDir, "ckpt.tar");
    writeFileSync(file, bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const meta = { runId, epoch: String(epoch), step: "7", sha256, filename: "step-7.tar" };
    const first = await upload(file, { token, meta, stopAfterBytes: 2 * MIB });
    expect(first.error).toBeUndefined();
    expect((await fault.h.api<{ checkpoints: unknown[] }>("GET", `/runs/${runId}/checkpoints`)).body.checkpoints).toEqual([]);
    const second = await upload(file, { token, meta, url: first.url! });
    expect(second.error).toBeUndefined();
    // HEAD told the client where to go on: nothing before the offset was sent again.
    expect(second.startedAt).toBeGreaterThanOrEqual(2 * MIB);
    const list = (await fault.h.api<{ checkpoints: { step: number; sha256: string; bytes: number }[] }>("GET", `/runs/${runId}/checkpoints`)).body.checkpoints;
    expect(list).toEqual([expect.objectContaining({ step: 7, sha256, bytes: bytes.length })]);
    const res = await fetch(`${fault.server.baseUrl}/api/v1/runs/${runId}/checkpoints/7`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.headers.get("etag")).toBe(`"${sha256}"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    // A download resumed with Range gets the rest.
    const tail = await fetch(`${fault.server.baseUrl}/api/v1/runs/${runId}/checkpoints/7`, { headers: { authorization: `Bearer ${token}`, range: `bytes=${4 * MIB}-` } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(4 * MIB))).toBe(true);
  });

  it("bytes that don't match the declared sha256 are refused and nothing is stored", async () => {
    const { token, runId, epoch } = await leasedRun();
    const file = path.join(fault.h.workDir, "bad.tar");
    writeFileSync(file, randomBytes(MIB));
    const r = await upload(file, { token, meta: { runId, epoch: String(epoch), step: "3", sha256: "0".repeat(64) } });
    expect(r.error?.status).toBe(400);
    expect(JSON.parse(r.error!.body)).toMatchObject({ title: "Checksum mismatch", errors: [{ field: "metadata.sha256" }] });
    expect((await fault.h.api<{ checkpoints: unknown[] }>("GET", `/runs/${runId}/checkpoints`)).body.checkpoints).toEqual([]);
  });

  it("a stale epoch, another worker's token, a person's token and bad metadata are refused before any byte is kept", async () => {
    const { token, runId, epoch } = await leasedRun();
    const other = await leasedRun();
    const file = path.join(fault.h.workDir, "small.tar");
    writeFileSync(file, randomBytes(1000));
    const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
    const meta = { runId, epoch: String(epoch), step: "1", sha256 };
    expect((await upload(file, { token, meta: { ...meta, epoch: String(epoch + 1) } })).error?.status).toBe(403); // not a lease it holds
    expect((await upload(file, { token: other.token, meta })).error?.status).toBe(403);
    const reader = (await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "reader", scopes: ["read"] })).body.secret;
    expect((await upload(file, { token: reader, meta })).error?.status).toBe(403);
    expect((await upload(file, { token, meta: { ...meta, step: "-1", runId: "../../etc" } })).error?.status).toBe(400);
    // Its own lease, ended (the run was cancelled): stale, so the agent knows to stop.
    expect((await fault.h.api("POST", `/runs/${runId}/cancel`)).status).toBe(200);
    expect((await upload(file, { token, meta })).error?.status).toBe(409);
    expect((await fault.h.api<{ checkpoints: unknown[] }>("GET", `/runs/${runId}/checkpoints`)).body.checkpoints).toEqual([]);
  });
});

describe("dataset files for a worker that can't read the server's disk", () => {
  it("the agent downloads each volume of its leased run once, by sha256, verified; others' tokens get nothing", async () => {
    const { token, runId } = await leasedRun();
    const spec = (await fetch(`${fault.server.baseUrl}/api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(spec).toBe(403); // a worker token reads nothing of the run but what its lease needs
    const file = path.resolve(import.meta.dirname, "../fixtures/ct/example_ct.nii.gz");
    const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
    const cache = path.join(fault.server.dataDir, `volume-cache-${runId}`);
    const notes: string[] = [];
    // The manifest as a remote machine sees it: the server's path is not there.
    const manifest = { volumes: [{ id: "v1", path: "/not/on/this/machine.nii.gz", sha256, weight: 1 }, { id: "v2", path: "/nowhere.nii.gz", sha256: "e".repeat(64), weight: 1 }] };
    const conn = { server: fault.server.baseUrl, token };
    const got = await materializeVolumes(conn, cache, runId, manifest, (l) => void notes.push(l));
    expect(got.volumes.map((v) => v.id)).toEqual(["v1"]); // the unknown file is reported and left out
    expect(got.volumes[0].path).toBe(path.join(cache, `${sha256}.nii.gz`));
    expect(createHash("sha256").update(readFileSync(got.volumes[0].path!)).digest("hex")).toBe(sha256);
    expect(notes.join("\n")).toMatch(/v2 .* not available: .*404/);
    // A second run on this machine finds it in the cache: nothing is fetched.
    const again = await materializeVolumes({ ...conn, token: "hfk_wrong" }, cache, runId, { volumes: [manifest.volumes[0]] }, () => undefined);
    expect(again.volumes[0].path).toBe(got.volumes[0].path);
    // Someone else's worker token, and a volume outside the run's mix, are refused.
    const other = (await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "other agent", scopes: ["worker"] })).body.secret;
    expect((await fetch(`${fault.server.baseUrl}/api/v1/runs/${runId}/volumes/${sha256}`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(403);
    expect((await fetch(`${fault.server.baseUrl}/api/v1/runs/${runId}/volumes/${"a".repeat(64)}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});
