// Upload limits in every form a tus client may send, with real requests to a real server: a length deferred at
// creation (Upload-Defer-Length: 1) gets the size and disk checks a declared one gets when a PATCH declares it,
// and a body sent without a Content-Length (chunked) is cut at the per-request limit like a declared one.
import { createHash } from "node:crypto";
import { statfsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UPLOAD_BODY_LIMIT } from "../../lib/api/body-limit";
import { faultServer } from "./support/harness";

// The largest checkpoint is set far above any disk here, so the disk is what a too-large length runs into.
const MAX = 2 ** 50;
const fault = faultServer({ CHECKPOINT_MAX_BYTES: String(MAX) });
const MIB = 2 ** 20;
const TUS = { "tus-resumable": "1.0.0" };

/** A worker of its own with a claimed run, and the tus metadata of a checkpoint upload into it. */
async function leasedRun() {
  const token = (await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "uploader", scopes: ["worker"] })).body.secret;
  const auth = { authorization: `Bearer ${token}` };
  const call = (url: string, body: unknown = {}) => fetch(`${fault.server.baseUrl}/api/v1${url}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
  const instanceId = `limits-${createHash("sha256").update(token).digest("hex").slice(0, 12)}`;
  const worker = (await call("/workers", { name: instanceId, instanceId })).id as string;
  const runId = await fault.h.newRun("limits", { steps: 5 });
  const claimed = (await call(`/workers/${worker}/claim`, { instanceId })).run;
  expect(claimed.runId).toBe(runId);
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const metadata = (step: number) => [["runId", runId], ["epoch", String(claimed.epoch)], ["step", String(step)], ["sha256", createHash("sha256").update(String(step)).digest("hex")]].map(([k, v]) => `${k} ${b64(v)}`).join(",");
  return { auth, metadata };
}

const url = (p = "") => `${fault.server.baseUrl}/api/v1/uploads${p}`;

async function create(auth: Record<string, string>, headers: Record<string, string>) {
  const res = await fetch(url(), { method: "POST", headers: { ...auth, ...TUS, ...headers } });
  return { status: res.status, body: await res.text(), id: res.headers.get("location")?.split("/").pop() ?? null };
}

const offsetOf = async (auth: Record<string, string>, id: string) => Number((await fetch(url(`/${id}`), { method: "HEAD", headers: { ...auth, ...TUS } })).headers.get("upload-offset"));

/** A body of `bytes` bytes streamed in 1 MiB pieces, with no Content-Length (sent chunked). */
function streamed(bytes: number) {
  let left = bytes;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(MIB, left);
      left -= n;
      controller.enqueue(new Uint8Array(n).fill(7));
    },
  });
}

const patch = (auth: Record<string, string>, id: string, offset: number, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(url(`/${id}`), { method: "PATCH", headers: { ...auth, ...TUS, "upload-offset": String(offset), "content-type": "application/offset+octet-stream", ...headers }, body, duplex: "half" } as RequestInit);

describe("deferred lengths", () => {
  it("a length declared in a PATCH gets the creation's checks: over the largest checkpoint is 413, over the free disk is 507, nothing written", async () => {
    const { auth, metadata } = await leasedRun();
    // Declared at creation, both are refused before an upload exists: what a deferred one must match.
    const disk = statfsSync(fault.server.dataDir);
    const free = disk.bavail * disk.bsize;
    expect((await create(auth, { "upload-length": String(free), "upload-metadata": metadata(1) })).status).toBe(507);
    expect((await create(auth, { "upload-length": String(MAX + 1), "upload-metadata": metadata(1) })).status).toBe(413);
    const deferred = await create(auth, { "upload-defer-length": "1", "upload-metadata": metadata(1) });
    expect(deferred.status, deferred.body).toBe(201);
    const id = deferred.id!;
    for (const [length, status, title] of [[MAX + 1, 413, "Too large"], [free, 507, "Insufficient Storage"]] as const) {
      const res = await patch(auth, id, 0, new Uint8Array(10), { "upload-length": String(length) });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status, title, errors: [{ field: "Upload-Length" }] });
      expect(await offsetOf(auth, id)).toBe(0);
    }
    // A length that fits is taken, and the upload goes on.
    const ok = await patch(auth, id, 0, new Uint8Array(10), { "upload-length": "20" });
    expect(ok.status, await ok.text()).toBe(204);
    expect(await offsetOf(auth, id)).toBe(10);
  });
});

describe("the per-request body limit", () => {
  it("holds for a chunked PATCH: the body is cut at the limit with a 413, and a chunked body within it is taken whole", async () => {
    const { auth, metadata } = await leasedRun();
    const created = await create(auth, { "upload-defer-length": "1", "upload-metadata": metadata(2) });
    expect(created.status, created.body).toBe(201);
    const id = created.id!;
    const small = await patch(auth, id, 0, streamed(2 * MIB));
    expect(small.status, await small.text()).toBe(204);
    expect(await offsetOf(auth, id)).toBe(2 * MIB);
    const big = await patch(auth, id, 2 * MIB, streamed(UPLOAD_BODY_LIMIT + 8 * MIB));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ status: 413, errors: [{ field: "body", message: `at most ${UPLOAD_BODY_LIMIT} bytes` }] });
    // No more than the limit was kept from that request; the upload resumes from the offset HEAD gives.
    const after = await offsetOf(auth, id);
    expect(after).toBeGreaterThanOrEqual(2 * MIB);
    expect(after).toBeLessThanOrEqual(2 * MIB + UPLOAD_BODY_LIMIT);
    const more = await patch(auth, id, after, streamed(MIB));
    expect(more.status, await more.text()).toBe(204);
    expect(await offsetOf(auth, id)).toBe(after + MIB);
  });

  it("holds for a chunked body on creation (creation-with-upload)", async () => {
    const { auth, metadata } = await leasedRun();
    const res = await fetch(url(), { method: "POST", headers: { ...auth, ...TUS, "upload-defer-length": "1", "upload-metadata": metadata(3), "content-type": "application/offset+octet-stream" }, body: streamed(UPLOAD_BODY_LIMIT + 4 * MIB), duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, errors: [{ field: "body" }] });
  });
});
