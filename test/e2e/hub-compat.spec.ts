// Hugging Face Hub clients against the running server. The current client (huggingface_hub 1.33, pinned in
// tmp/hf-client by scripts/hf-client.sh) runs for real: `hf download` and the Python API fetch a gated release
// once access is granted, and each refusal before that reaches the user as the client's own error with our
// reason. The 0.x clients that transformers 4.x pins are replayed request by request (model info's siblings, a HEAD
// per file that must carry commit, ETag and size without a redirect, a GET resumed with Range), since their package
// is not installable next to 1.x.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiSignIn, createToken, createUser } from "./support/accounts";
import { releaseOf } from "./support/releases";

const HF = path.resolve("tmp/hf-client/bin");
const adminH = () => ({ authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` });

test.beforeAll(() => {
  execFileSync("bash", ["scripts/hf-client.sh"], { stdio: "inherit" });
});

/** The client as a user runs it: HF_ENDPOINT at this server, its own cache, no token of the machine's. */
function clientEnv(home: string): NodeJS.ProcessEnv {
  const env = { NODE_ENV: "test" as const, PATH: process.env.PATH!, HOME: home, HF_HOME: path.join(home, "hf"), HF_ENDPOINT: process.env.E2E_BASE_URL!, HF_HUB_DISABLE_TELEMETRY: "1", NO_PROXY: "*" };
  return env;
}

async function gatedSetup(request: APIRequestContext, playwright: { request: { newContext: (o: { baseURL?: string }) => Promise<APIRequestContext> } }) {
  const owner = await createUser(request, "RESEARCHER");
  const ownerCtx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  await apiSignIn(ownerCtx, owner.email);
  const id = await releaseOf(request, ownerCtx, { policy: "GATED", terms: "Cite the release; no clinical use." });
  const release = await (await ownerCtx.get(`/api/v1/releases/${id}`)).json();
  const clinician = await createUser(request, "CLINICIAN");
  const clinicianCtx = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  await apiSignIn(clinicianCtx, clinician.email);
  const token = await createToken(request, clinician.email, "read,download");
  return { id, release, ownerCtx, clinician, clinicianCtx, token, repo: `hounsfield/${release.name as string}` };
}

async function requestAndApprove(clinicianCtx: APIRequestContext, request: APIRequestContext, id: string) {
  const asked = await clinicianCtx.post(`/api/v1/releases/${id}/requests`, { data: { institution: "Clinic", role: "radiologist", intendedUse: "fine-tuning for nodule detection", acceptTerms: true, termsVersion: "1" } });
  expect(asked.status(), await asked.text()).toBe(201);
  const requestId = (await asked.json()).id as string;
  return {
    requestId,
    approve: async () => expect((await request.post("/api/v1/access-requests/decisions", { headers: adminH(), data: { ids: [requestId], approve: true } })).status()).toBe(200),
  };
}

/** A client command, run without blocking this process: a blocked event loop can't see the server close an idle
 * keep-alive connection, and the next request on it would meet a reset. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("hf download (huggingface_hub 1.33) gets a gated release once access is granted, and says why not before and after", async ({ request, playwright }) => {
  test.setTimeout(240_000);
  const { id, release, ownerCtx, clinicianCtx, token, repo } = await gatedSetup(request, playwright);
  const home = mkdtempSync(path.join(os.tmpdir(), "hf-client-"));
  const hf = (args: string[], withToken = true) => run(path.join(HF, "hf"), ["download", repo, ...args, ...(withToken ? ["--token", token] : [])], clientEnv(home));
  try {
    const anonymous = await hf(["--local-dir", path.join(home, "anon")], false);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Repository Not Found|not found/i);

    // Gated: the client's own error, with what to do.
    const before = await hf(["--local-dir", path.join(home, "before")]);
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/requires approval/i);
    expect(before.stderr).toContain(`request it at`);
    expect(before.stderr).not.toMatch(/check your connection/i);

    const { approve } = await requestAndApprove(clinicianCtx, request, id);
    const pending = await hf(["--local-dir", path.join(home, "pending")]);
    expect(pending.status).not.toBe(0);
    expect(pending.stderr).toContain("is waiting for review");

    await approve();
    const out = path.join(home, "weights");
    const ok = await hf(["--local-dir", out]);
    expect(ok.status, ok.stderr).toBe(0);
    const files = (release.files as { path: string; sha256: string }[]).map((f) => f.path);
    expect(readdirSync(out).filter((f) => !f.startsWith(".")).sort()).toEqual([...files].sort());
    for (const f of release.files as { path: string; sha256: string }[]) expect(sha256(readFileSync(path.join(out, f.path)))).toBe(f.sha256);
    expect(readFileSync(path.join(out, "README.md"), "utf8")).toBe(release.card);
    // The client asked HEAD then GET for every file: one download of the weights, config fetches not counted.
    expect((await (await ownerCtx.get(`/api/v1/releases/${id}/stats`)).json()).total).toBe(1);

    // The Python API into the client's cache: a snapshot lands under the commit model info names, a version is a
    // revision, and what isn't there is the client's own not-found errors.
    const script = path.join(home, "probe.py");
    writeFileSync(
      script,
      `
import json, os, sys
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import EntryNotFoundError, RevisionNotFoundError, RepositoryNotFoundError
repo, token = sys.argv[1], sys.argv[2]
api = HfApi(token=token)
info = api.model_info(repo)
out = {"sha": info.sha, "gated": info.gated, "siblings": sorted((s.rfilename, s.size, s.lfs.sha256) for s in info.siblings)}
snap = snapshot_download(repo, token=token)
out["snapshot"] = os.path.basename(snap)
out["snapshot_files"] = sorted(os.listdir(snap))
out["tree"] = sorted(f.path for f in api.list_repo_tree(repo, revision="1.0.0"))
out["pinned"] = os.path.basename(os.path.dirname(hf_hub_download(repo, "config.json", revision="v1.0.0", token=token)))
def err(f):
    try:
        f()
        return "no error"
    except Exception as e:
        return type(e).__name__
out["missing_file"] = err(lambda: hf_hub_download(repo, "nope.bin", token=token))
out["missing_revision"] = err(lambda: hf_hub_download(repo, "config.json", revision="9.9.9", token=token))
out["missing_repo"] = err(lambda: api.model_info(repo + "-nope"))
out["other_namespace"] = err(lambda: api.model_info("elsewhere/" + repo.split("/")[1]))
print(json.dumps(out))
`,
    );
    const py = await run(path.join(HF, "python"), [script, repo, token], clientEnv(home));
    expect(py.status, py.stderr).toBe(0);
    const probe = JSON.parse(py.stdout.trim().split("\n").pop()!);
    expect(probe.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(probe.gated).toBe("manual");
    expect(probe.siblings.map((s: [string]) => s[0])).toEqual([...files].sort());
    for (const f of release.files as { path: string; sha256: string; bytes: number }[]) expect(probe.siblings).toContainEqual([f.path, f.bytes, f.sha256]);
    expect(probe.snapshot).toBe(probe.sha);
    expect(probe.snapshot_files).toEqual([...files].sort());
    expect(probe.tree).toEqual([...files].sort());
    expect(probe.pinned).toBe(probe.sha);
    expect(probe.missing_file).toMatch(/EntryNotFoundError/);
    expect(probe.missing_revision).toBe("RevisionNotFoundError");
    expect(probe.missing_repo).toBe("RepositoryNotFoundError");
    expect(probe.other_namespace).toBe("RepositoryNotFoundError");

    // Revoked: the next download stops at once, and says so.
    const grants = await (await request.get("/api/v1/access-requests?status=APPROVED", { headers: adminH() })).json();
    const grant = (grants.requests ?? grants).find((r: { releaseId: string }) => r.releaseId === id).grant.id as string;
    expect((await request.delete(`/api/v1/access-grants/${grant}`, { headers: adminH() })).status()).toBe(200);
    const after = await hf(["--local-dir", path.join(home, "after"), "--force-download"]);
    expect(after.status).not.toBe(0);
    expect(after.stderr).toContain("was revoked");
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

/** A request sent exactly as written (no URL normalisation of dot segments or escapes), its status and body. */
function raw(pathname: string, headers: Record<string, string>, method = "GET") {
  const url = new URL(process.env.E2E_BASE_URL!);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: pathname, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the 0.x client's requests (transformers 4.x): siblings, a HEAD per file with commit, ETag and size, a resumed GET, a paged tree, and the errors it recognises", async ({ request, playwright }) => {
  test.setTimeout(120_000);
  const { id, release, clinicianCtx, token, repo } = await gatedSetup(request, playwright);
  const auth = { authorization: `Bearer ${token}`, "user-agent": "transformers/4.57.1; hf_hub/0.36.2; python/3.11.2", "accept-encoding": "identity" };

  // Before access: model info is readable (a gated repo's card and files are public to members), files are not.
  const info0 = await request.get(`/api/models/${repo}/revision/main`, { headers: auth });
  expect(info0.status()).toBe(200);
  const sha = (await info0.json()).sha as string;
  const gated = await request.head(`/${repo}/resolve/${sha}/model.safetensors`, { headers: auth, maxRedirects: 0 });
  expect(gated.status()).toBe(403);
  expect(gated.headers()["x-error-code"]).toBe("GatedRepo");
  expect(gated.headers()["x-error-message"]).toContain(`/releases/${id}`);
  const anonymous = await request.head(`/${repo}/resolve/${sha}/model.safetensors`, { maxRedirects: 0 });
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["x-error-code"]).toBe("RepoNotFound");
  const { approve } = await requestAndApprove(clinicianCtx, request, id);
  await approve();

  const info = await (await request.get(`/api/models/${repo}/revision/main`, { headers: auth })).json();
  expect(info.id).toBe(repo);
  expect(info.sha).toBe(sha);
  const siblings = info.siblings as { rfilename: string; size: number; lfs: { sha256: string; size: number; pointerSize: number } }[];
  expect(siblings.map((s) => s.rfilename).sort()).toEqual(release.files.map((f: { path: string }) => f.path).sort());
  for (const s of siblings) {
    // No redirect: the 0.x client reads these headers from the HEAD answer itself.
    const head = await request.head(`/${repo}/resolve/${sha}/${encodeURIComponent(s.rfilename)}`, { headers: auth, maxRedirects: 0 });
    expect(head.status(), s.rfilename).toBe(200);
    expect(head.headers()["x-repo-commit"]).toBe(sha);
    expect(head.headers()["etag"]).toBe(`"${s.lfs.sha256}"`);
    expect(head.headers()["x-linked-etag"]).toBe(`"${s.lfs.sha256}"`);
    expect(Number(head.headers()["x-linked-size"])).toBe(s.size);
    expect(Number(head.headers()["content-length"])).toBe(s.size);
    expect(head.headers()["x-xet-hash"]).toBeUndefined();
    const whole = await request.get(`/${repo}/resolve/${sha}/${s.rfilename}`, { headers: auth });
    expect(sha256(await whole.body())).toBe(s.lfs.sha256);
  }
  // A download resumed from byte N (what the client sends after a dropped connection) gets the rest.
  const weights = siblings.find((s) => s.rfilename === "model.safetensors")!;
  const full = await (await request.get(`/${repo}/resolve/${sha}/model.safetensors`, { headers: auth })).body();
  const resumed = await request.get(`/${repo}/resolve/${sha}/model.safetensors`, { headers: { ...auth, range: "bytes=10-" } });
  expect(resumed.status()).toBe(206);
  expect(resumed.headers()["content-range"]).toBe(`bytes 10-${weights.size - 1}/${weights.size}`);
  expect((await resumed.body()).equals(full.subarray(10))).toBe(true);
  const past = await request.get(`/${repo}/resolve/${sha}/model.safetensors`, { headers: { ...auth, range: `bytes=${weights.size + 5}-` } });
  expect(past.status()).toBe(416);

  // The 1.x listing, two entries a page, following Link: the same files.
  const listed: string[] = [];
  let next: string | null = `/api/models/${repo}/tree/${sha}?recursive=True&expand=False&limit=2`;
  let pages = 0;
  while (next) {
    const page: Awaited<ReturnType<APIRequestContext["get"]>> = await request.get(next, { headers: auth });
    expect(page.status()).toBe(200);
    const entries = (await page.json()) as { type: string; path: string; size: number; oid: string; lfs: { oid: string; size: number } }[];
    expect(entries.length).toBeLessThanOrEqual(2);
    for (const e of entries) expect(e.lfs.oid).toBe(siblings.find((s) => s.rfilename === e.path)!.lfs.sha256);
    listed.push(...entries.map((e) => e.path));
    next = /<([^>]+)>;\s*rel="next"/.exec(page.headers()["link"] ?? "")?.[1] ?? null;
    pages++;
  }
  expect(pages).toBe(3);
  expect(listed).toEqual(siblings.map((s) => s.rfilename).sort());

  // The errors the client turns into its own exceptions.
  const missing = await request.head(`/${repo}/resolve/${sha}/nope.bin`, { headers: auth, maxRedirects: 0 });
  expect([missing.status(), missing.headers()["x-error-code"], missing.headers()["x-repo-commit"]]).toEqual([404, "EntryNotFound", sha]);
  const badRevision = await request.get(`/api/models/${repo}/revision/9.9.9`, { headers: auth });
  expect([badRevision.status(), badRevision.headers()["x-error-code"]]).toEqual([404, "RevisionNotFound"]);
  expect((await badRevision.json()).error).toMatch(/has no revision 9\.9\.9/);
  const prRevision = await request.get(`/api/models/${repo}/revision/${encodeURIComponent("refs/pr/1")}`, { headers: auth });
  expect(prRevision.headers()["x-error-code"]).toBe("RevisionNotFound");
  const unknown = await request.get(`/api/models/hounsfield/no-such-model`, { headers: auth });
  expect([unknown.status(), unknown.headers()["x-error-code"]]).toEqual([404, "RepoNotFound"]);
  const dead = await request.get(`/api/models/${repo}`, { headers: { authorization: "Bearer hf_not-a-token" } });
  expect([dead.status(), dead.headers()["x-error-message"]]).toEqual([401, "Invalid credentials in Authorization header"]);

  // File names are only compared with the release's: traversal in any encoding finds nothing and reads nothing,
  // here and on the API's own file route.
  for (const name of ["..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd", "..%252F..%252Fetc%252Fpasswd", "%2Fetc%2Fpasswd", "..\\..\\etc\\passwd", "model.safetensors%00.txt", "MODEL.SAFETENSORS", "%C0%AE%C0%AE/etc/passwd"]) {
    for (const url of [`/${repo}/resolve/${sha}/${name}`, `/api/v1/releases/${id}/files/${name}`]) {
      const r = await raw(url, { authorization: `Bearer ${token}` });
      expect([400, 404], `${url} → ${r.status}`).toContain(r.status);
      expect(r.body).not.toContain("root:");
      expect(r.headers["content-type"]).toMatch(/json/);
    }
  }
});
