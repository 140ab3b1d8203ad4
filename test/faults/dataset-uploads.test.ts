// Dataset files uploaded as the browser does it (tus-js-client, the client the UI uses), against the real
// server: a folder of DICOM slices stays one series, a file cut off halfway is listed with how far it got and
// blocks publishing until it is resumed, bad names and published versions are refused, and everything uploaded
// is indexed in the background.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Upload } from "tus-js-client";
import { describe, expect, it } from "vitest";
import { faultServer, until } from "./support/harness";

const fault = faultServer({});
const CT = path.resolve(import.meta.dirname, "../fixtures/ct");

type Version = { id: string; status: string; scans: number; uploads: { name: string; bytes: number; received: number }[]; jobs: { status: string; doneFiles: number; failedFiles: number }[] };

function send(file: string, meta: Record<string, string>, o: { url?: string; stopAfterBytes?: number; token?: string } = {}) {
  return new Promise<{ url: string | null; status?: number; body?: string }>((resolve) => {
    const bytes = readFileSync(file);
    const u: Upload = new Upload(bytes, {
      endpoint: `${fault.server.baseUrl}/api/v1/uploads`,
      uploadUrl: o.url ?? null,
      chunkSize: 64 * 1024,
      metadata: meta,
      headers: { authorization: o.token ?? fault.h.adminAuth() },
      storeFingerprintForResuming: false,
      retryDelays: [],
      onProgress: (sent) => {
        if (o.stopAfterBytes && sent >= o.stopAfterBytes) {
          void u.abort();
          resolve({ url: u.url });
        }
      },
      onSuccess: () => resolve({ url: u.url }),
      onError: (e) => {
        const r = (e as { originalResponse?: { getStatus(): number; getBody(): string } }).originalResponse;
        resolve({ url: u.url, status: r?.getStatus(), body: r?.getBody() });
      },
    });
    u.start();
  });
}

describe("uploading dataset files", () => {
  it("indexes uploaded NIfTI files and DICOM folders; a file cut off halfway is shown and blocks publishing until resumed", async () => {
    const d = (await fault.h.api<{ id: string; slug: string }>("POST", "/datasets", { name: "Uploaded scans", license: "internal" })).body;
    const v = (await fault.h.api<Version>("POST", `/datasets/${d.id}/versions`, { version: "1" })).body;
    const get = async () => (await fault.h.api<Version>("GET", `/dataset-versions/${v.id}`)).body;

    const nifti = path.join(CT, "example_ct_sm.nii.gz");
    const cut = await send(nifti, { versionId: v.id, name: "abdomen/example_ct_sm.nii.gz" }, { stopAfterBytes: 128 * 1024 });
    expect(cut.url).toBeTruthy();
    const partial = (await get()).uploads;
    expect(partial).toHaveLength(1);
    expect(partial[0]).toMatchObject({ name: "abdomen/example_ct_sm.nii.gz", bytes: statSync(nifti).size });
    expect(partial[0].received).toBeGreaterThanOrEqual(64 * 1024);
    expect(partial[0].received).toBeLessThan(statSync(nifti).size);
    expect((await fault.h.api("POST", `/dataset-versions/${v.id}/publish`)).status).toBe(409);

    // A DICOM series as a folder: ten slices, names as the browser gives them for a chosen folder.
    const series = path.join(CT, "dicom-series-philips-phantom-axial");
    for (const f of readdirSync(series)) expect((await send(path.join(series, f), { versionId: v.id, name: `phantom/S2010/${f}` })).status).toBeUndefined();
    // The cut-off upload resumes from the server's offset.
    expect((await send(nifti, { versionId: v.id, name: "abdomen/example_ct_sm.nii.gz" }, { url: cut.url! })).status).toBeUndefined();

    const done = await until("indexing of the uploads", async () => {
      const now = await get();
      return now.scans === 2 && now.jobs.every((j) => j.status === "DONE") && now;
    }, 60_000);
    expect(done.uploads).toEqual([]);
    const scans = (await fault.h.api<{ scans: { name: string; format: string; dims: number[]; files: number }[] }>("GET", `/dataset-versions/${v.id}/scans`)).body.scans;
    expect(scans.map((s) => [s.format, s.dims, s.files]).sort()).toEqual([["dicom", [512, 512, 10], 10], ["nifti1", [122, 101, 30], 1]]);
    expect((await fault.h.api<Version>("POST", `/dataset-versions/${v.id}/publish`)).body.status).toBe("PUBLISHED");
    // A published version takes no more files.
    const late = await send(nifti, { versionId: v.id, name: "late.nii.gz" });
    expect(late.status).toBe(409);
  });

  it("refuses names that climb out, a second upload of one name, other people's versions, and people without write access", async () => {
    const d = (await fault.h.api<{ id: string }>("POST", "/datasets", { name: "Refusals", license: "internal" })).body;
    const v = (await fault.h.api<{ id: string }>("POST", `/datasets/${d.id}/versions`, { version: "1" })).body;
    const file = path.join(CT, "CT_small.dcm");
    const bad = await send(file, { versionId: v.id, name: "../../etc/passwd" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body!).errors[0].field).toBe("metadata.name");
    expect((await send(file, { versionId: v.id, name: "one.dcm" })).status).toBeUndefined();
    expect((await send(file, { versionId: v.id, name: "one.dcm" })).status).toBe(409);
    expect((await send(file, { versionId: "doesnotexist", name: "x.dcm" })).status).toBe(404);
    // A read-only token of the same admin may not write datasets.
    const ro = (await fault.h.api<{ secret: string }>("POST", "/tokens", { name: "read only", scopes: ["read"] })).body.secret;
    expect((await send(file, { versionId: v.id, name: "two.dcm" }, { token: `Bearer ${ro}` })).status).toBe(403);
  });
});
