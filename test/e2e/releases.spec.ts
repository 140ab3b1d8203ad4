// The release downloader as people run it (`npx hounsfield download`), against the running server: every file
// lands checked against its sha256, an interrupted file resumes from its partial copy, and a token without the
// download scope gets a clear refusal.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { apiSignIn, createToken, createUser } from "./support/accounts";
import { openReleaseOf } from "./support/releases";

const download = (args: string[]) => spawnSync(process.execPath, ["bin/hounsfield.mjs", "download", ...args], { encoding: "utf8", env: { ...process.env, DATABASE_URL: "" } });

test("hounsfield download fetches a release, checks each file, resumes a partial one, and refuses a token without the scope", async ({ request, playwright }) => {
  test.setTimeout(120_000);
  const owner = await createUser(request, "RESEARCHER");
  const ownerCtx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  await apiSignIn(ownerCtx, owner.email);
  const id = await openReleaseOf(request, ownerCtx);
  const release = await (await ownerCtx.get(`/api/v1/releases/${id}`)).json();
  const clinician = await createUser(request, "CLINICIAN");
  const token = await createToken(request, clinician.email, "read,download");
  const out = mkdtempSync(path.join(os.tmpdir(), "hounsfield-download-"));
  try {
    const first = download([`${release.name}@1.0.0`, "--server", process.env.E2E_BASE_URL!, "--token", token, "--out", out]);
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["README.md", "config.json", "finetune_starter.py", "model.safetensors", "preprocessing.json"]);
    for (const f of release.files as { path: string; sha256: string }[]) expect(createHash("sha256").update(readFileSync(path.join(out, f.path))).digest("hex")).toBe(f.sha256);

    // A partial copy whose first bytes are wrong: resuming keeps them (Range from its length), so the check fails
    // and the partial copy is removed; the next run starts clean and succeeds.
    const weights = readFileSync(path.join(out, "model.safetensors"));
    rmSync(path.join(out, "model.safetensors"));
    const half = Buffer.from(weights.subarray(0, weights.length >> 1));
    half[0] ^= 0xff;
    writeFileSync(path.join(out, "model.safetensors.partial"), half);
    const resumed = download([release.name, "--server", process.env.E2E_BASE_URL!, "--token", token, "--out", out]);
    expect(resumed.status).toBe(1);
    expect(resumed.stderr).toMatch(/model\.safetensors: sha256 .* is not the release's/);
    const again = download([release.name, "--server", process.env.E2E_BASE_URL!, "--token", token, "--out", out]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/config\.json: already here, sha256 matches/);
    expect(readFileSync(path.join(out, "model.safetensors")).equals(weights)).toBe(true);

    const readOnly = await createToken(request, clinician.email, "read");
    const refused = download([release.name, "--server", process.env.E2E_BASE_URL!, "--token", readOnly, "--out", path.join(out, "elsewhere")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 403|no access/);
    const help = download(["--help"]);
    expect(help.stdout).toMatch(/Usage: npx hounsfield download <name>\[@version\]/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("through the real server, HEAD on a file route gives the headers and is not a download; a range from the end is a 416", async ({ request, playwright }) => {
  const owner = await createUser(request, "RESEARCHER");
  const ownerCtx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  await apiSignIn(ownerCtx, owner.email);
  const id = await openReleaseOf(request, ownerCtx);
  const release = await (await ownerCtx.get(`/api/v1/releases/${id}`)).json();
  const weights = (release.files as { path: string; bytes: number; sha256: string }[]).find((f) => f.path === "model.safetensors")!;
  const clinician = await createUser(request, "CLINICIAN");
  const auth = { authorization: `Bearer ${await createToken(request, clinician.email, "read,download")}` };
  const link = (await (await request.post(`/api/v1/releases/${id}/files/model.safetensors/link`, { headers: auth })).json()).url as string;
  const total = async () => (await (await ownerCtx.get(`/api/v1/releases/${id}/stats`)).json()).total as number;
  const before = await total();
  const checkpoint = await (await ownerCtx.get(`/api/v1/runs/${release.runId}/checkpoints`)).json().then((b) => b.checkpoints[0] as { step: number; bytes: number; sha256: string });
  const files: [string, Record<string, string>, number, string][] = [
    [`/api/v1/releases/${id}/files/model.safetensors`, auth, weights.bytes, weights.sha256],
    [link, {}, weights.bytes, weights.sha256],
    [`/hounsfield/${release.name}/resolve/main/model.safetensors`, auth, weights.bytes, weights.sha256],
    [`/api/v1/runs/${release.runId}/checkpoints/${checkpoint.step}`, {}, checkpoint.bytes, checkpoint.sha256],
  ];
  for (const [url, headers, bytes, sha256] of files) {
    const ctx = url.includes("/checkpoints/") ? ownerCtx : request;
    const head = await ctx.head(url, { headers });
    expect([url, head.status(), head.headers()["content-length"], head.headers()["etag"], (await head.body()).length]).toEqual([url, 200, String(bytes), `"${sha256}"`, 0]);
    const past = await ctx.get(url, { headers: { ...headers, range: `bytes=${bytes}-` } });
    expect([url, past.status(), past.headers()["content-range"]]).toEqual([url, 416, `bytes */${bytes}`]);
  }
  // Neither the HEADs nor the refused ranges were downloads.
  expect(await total()).toBe(before);
  // A scan's export and preview: the headers, without making either.
  const sample = await (await request.get("/api/v1/datasets/sample-ct/versions", { headers: auth })).json().then((b) => b.versions[0].id as string);
  const scan = await (await request.get(`/api/v1/dataset-versions/${sample}/scans`, { headers: auth })).json().then((b) => b.scans[0].id as string);
  const nifti = await request.head(`/api/v1/scans/${scan}/volume`, { headers: auth });
  expect([nifti.status(), nifti.headers()["content-type"], (await nifti.body()).length]).toEqual([200, "application/gzip", 0]);
  const png = await request.head(`/api/v1/scans/${scan}/preview?plane=axial&window=soft`, { headers: auth });
  expect([png.status(), png.headers()["content-type"], (await png.body()).length]).toEqual([200, "image/png", 0]);
});
