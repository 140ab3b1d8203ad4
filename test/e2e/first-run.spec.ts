// The newcomer's demo, as a newcomer does it: `hounsfield start` with its local CPU worker, sign in, queue a run
// of the tiny preset on the sample CT from the form, and watch it train to SUCCEEDED with its loss drawn falling;
// then release its final checkpoint to a clinician through a gated request, and take the access back.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startServer, type StartedServer } from "../support/start-server";

test("a fresh install trains a tiny run on the sample CT from the UI, on its local worker", async ({ browser }) => {
  test.setTimeout(420_000);
  let server: StartedServer | undefined;
  try {
    server = await startServer({ LOCAL_AGENT: "true", HEARTBEAT_SECONDS: "2", PUBLIC_RELEASES: "index" });
    const page = await browser.newPage({ baseURL: server.baseUrl });
    await page.goto("/login");
    await page.getByLabel("Email").fill(server.adminEmail);
    await page.getByLabel("Password").fill(server.adminPassword);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

    // The local worker registers on its own once the admin exists.
    await page.goto("/workers");
    await expect(page.getByTestId("worker-card").filter({ hasText: "local" })).toContainText(/idle|busy/, { timeout: 60_000 });
    await expect(page.getByText("No GPU (CPU worker)")).toBeVisible();

    await page.goto("/runs/new");
    await page.getByLabel("Name").fill("my first run");
    await page.getByLabel("Preset").selectOption("tiny");
    await page.getByLabel("Steps", { exact: true }).fill("60");
    await page.getByLabel("Batch size").fill("4");
    await page.getByLabel("Learning rate").fill("0.001");
    await page.getByLabel("Warmup steps").fill("5");
    await page.getByLabel("Log every").fill("2");
    await page.getByRole("button", { name: "Add dataset" }).click();
    await page.getByLabel("Dataset 1").selectOption({ label: "Sample CT (one TotalSegmentator scan)" });
    // With only a CPU worker attached the form asks for no GPU, and says the run fits it.
    await expect(page.getByLabel("GPUs")).toHaveValue("0");
    await expect(page.getByText(/Fits local/)).toBeVisible();
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);
    await expect(page.getByText("succeeded").first()).toBeVisible({ timeout: 240_000 });

    const chart = page.getByRole("img", { name: /^loss: last value/ });
    await expect(chart).toBeVisible();
    // The drawn loss line ends lower than it starts.
    const ends = await chart.evaluate((el) => {
      const path = el.querySelector<SVGPathElement>(".recharts-line-curve")!;
      const len = path.getTotalLength();
      return { first: path.getPointAtLength(0).y, last: path.getPointAtLength(len).y };
    });
    expect(ends.last).toBeGreaterThan(ends.first); // SVG y grows downwards
    await page.screenshot({ path: test.info().outputPath("first-run.png"), fullPage: true });

    // The researcher (here the admin) promotes the final checkpoint to a gated release and publishes it.
    const runUrl = page.url();
    await page.getByRole("tab", { name: "Release" }).click();
    await page.getByLabel("Release name").fill("first-encoder");
    await page.getByLabel("Terms people accept").fill("Research use only; cite the sample's dataset.");
    await page.getByRole("button", { name: "Create a draft release" }).click();
    await expect(page).toHaveURL(/\/releases\/rel[a-z0-9]+$/);
    const releaseId = page.url().split("/").pop()!;
    const release0Name = (await (await page.request.get(`/api/v1/releases/${releaseId}`)).json()).name as string;
    await expect(page.getByRole("cell", { name: "model.safetensors" })).toBeVisible();
    await page.getByRole("button", { name: /^Publish / }).click();
    await expect(page.getByText("published", { exact: true })).toBeVisible();

    // This server lists releases publicly: a visitor finds it, reads its card, and is asked to sign in to get it.
    const visitor = await browser.newPage({ baseURL: server.baseUrl });
    await visitor.goto("/releases");
    await visitor.getByRole("link", { name: release0Name }).click();
    await expect(visitor.getByRole("heading", { name: "Model card" })).toBeVisible();
    await expect(visitor.getByText("Sign in to request access to this release")).toBeVisible();
    expect((await visitor.request.get(`/api/v1/releases/${releaseId}/files/model.safetensors`)).status()).toBe(401);
    await visitor.close();
    // Lineage the other way: the run lists what was released from it.
    await page.goto(runUrl);
    await page.getByRole("tab", { name: "Release" }).click();
    await expect(page.getByRole("link", { name: "first-encoder 1.0.0" })).toBeVisible();

    // A clinician registers, asks for access with the form, and waits.
    const clinicianEmail = `clinician-${Date.now()}@example.org`;
    expect((await page.request.post("/api/v1/register", { data: { email: clinicianEmail, name: "A Clinician", password: "a long clinician password" } })).status()).toBe(202);
    const clinician = await browser.newPage({ baseURL: server.baseUrl });
    await clinician.goto("/login");
    await clinician.getByLabel("Email").fill(clinicianEmail);
    await clinician.getByLabel("Password").fill("a long clinician password");
    await clinician.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(clinician.getByRole("heading", { name: "Overview" })).toBeVisible();
    await clinician.goto(`/releases/${releaseId}`);
    await clinician.getByLabel("Institution").fill("University Hospital");
    await clinician.getByLabel("Your role").fill("radiologist");
    await clinician.getByLabel("Intended use").fill("fine-tuning a liver segmentation model for research");
    await clinician.getByLabel(/I accept the terms/).check();
    await clinician.getByRole("button", { name: "Request access" }).click();
    await expect(clinician.getByText(/waiting for an administrator/)).toBeVisible();
    expect((await clinician.request.get(`/api/v1/releases/${releaseId}/files/model.safetensors`)).status()).toBe(403);

    // The admin approves it from the queue (and was notified of it).
    await page.goto("/admin/access");
    await page.getByRole("checkbox", { name: new RegExp(`request of ${clinicianEmail}`) }).check();
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByRole("row", { name: new RegExp(clinicianEmail) })).toContainText("approved");

    // The clinician downloads the weights from the page (a progress bar, the sha256 checked before saving) and the
    // other files; the weights' sha256 is the one the release lists; the starter loads them.
    const release = await (await clinician.request.get(`/api/v1/releases/${releaseId}`)).json();
    const dir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-release-"));
    await clinician.goto(`/releases/${releaseId}`);
    const saved = clinician.waitForEvent("download");
    await clinician.getByRole("button", { name: "Download the weights" }).click();
    const weights = await saved;
    expect(weights.suggestedFilename()).toBe("model.safetensors");
    const weightsBody = readFileSync((await weights.path())!);
    expect(createHash("sha256").update(weightsBody).digest("hex")).toBe(release.files.find((f: { path: string }) => f.path === "model.safetensors").sha256);
    await expect(clinician.getByText(/its sha256 matches the release's/)).toBeVisible();
    for (const f of (release.files as { path: string; sha256: string }[]).filter((f) => f.path !== "model.safetensors")) {
      const res = await clinician.request.get(`/api/v1/releases/${releaseId}/files/${f.path}`);
      expect(res.status(), f.path).toBe(200);
      const body = await res.body();
      if (f.sha256) expect(createHash("sha256").update(body).digest("hex")).toBe(f.sha256);
      writeFileSync(path.join(dir, f.path), body);
    }
    writeFileSync(path.join(dir, "model.safetensors"), weightsBody);
    const loaded = execFileSync(process.env.HOUNSFIELD_PYTHON ?? "/usr/bin/python3", ["-c", "from finetune_starter import load_encoder; e, c, k = load_encoder('.'); print(sum(p.numel() for p in e.parameters()))"], { cwd: dir, encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" } });
    expect(Number(loaded.trim())).toBeGreaterThan(1000);
    rmSync(dir, { recursive: true, force: true });

    // Revoked: the next download is refused at once.
    await page.getByRole("button", { name: "Revoke" }).first().click();
    await expect(page.getByRole("row", { name: new RegExp(clinicianEmail) })).toContainText("revoked");
    expect((await clinician.request.get(`/api/v1/releases/${releaseId}/files/model.safetensors`)).status()).toBe(403);
  } finally {
    await server?.stop();
  }
});
