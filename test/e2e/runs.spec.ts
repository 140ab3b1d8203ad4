import { expect, test, type APIRequestContext } from "@playwright/test";
import { createUser, uiSignIn } from "./support/accounts";

const admin = () => ({ authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` });

async function apiRun(request: APIRequestContext, body: Record<string, unknown> = {}) {
  const res = await request.post("/api/v1/runs", { headers: admin(), data: { name: `e2e ${Date.now()}`, preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }], ...body } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { id: string; name: string };
}

async function ingest(request: APIRequestContext, runId: string, points: unknown[]) {
  const res = await request.post(`/api/v1/runs/${runId}/metrics`, { headers: admin(), data: { points } });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

async function start(request: APIRequestContext, runId: string) {
  for (const to of ["STARTING", "RUNNING"]) expect((await request.post(`/api/v1/runs/${runId}/transitions`, { headers: admin(), data: { to } })).status()).toBe(200);
}

async function signInAdmin(page: import("@playwright/test").Page) {
  await uiSignIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}

test("a researcher queues a run from the form, with field errors first", async ({ page, request }) => {
  const u = await createUser(request, "RESEARCHER");
  await uiSignIn(page, u.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  // This researcher holds a local copy of CT-RATE (here: one real phantom series) and publishes it as a version.
  const version = await (await page.request.post("/api/v1/datasets/ct-rate/versions", { data: { version: `local-${Date.now()}` } })).json();
  expect((await page.request.post(`/api/v1/dataset-versions/${version.id}/folders`, { data: { root: process.env.DATASET_ROOT, folder: "dicom-series-philips-phantom-axial" } })).status()).toBe(202);
  await expect.poll(async () => (await (await page.request.post(`/api/v1/dataset-versions/${version.id}/publish`)).status()), { timeout: 30_000 }).toBe(200);
  await page.goto("/runs/new");
  await page.getByLabel("Name").fill("form run");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByText("choose at least one dataset").first()).toBeVisible();
  await page.getByRole("button", { name: "Add dataset" }).click();
  await page.getByLabel("Dataset 1").selectOption({ label: "CT-RATE" });
  await expect(page.getByLabel("Version")).toContainText(`v${version.version} (1 volumes)`);
  await expect(page.getByText(/non-commercial/).first()).toBeVisible();
  await page.getByLabel("Learning rate").fill("-1");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByText(/greater than|positive|too small/i).first()).toBeVisible();
  await page.getByLabel("Learning rate").fill("0.0003");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);
  await expect(page.getByRole("heading", { name: "form run" })).toBeVisible();
  await expect(page.getByText("queued").first()).toBeVisible();
  // The run page names the exact version it trains on, and the license its weights inherit.
  await page.getByRole("tab", { name: "Config" }).click();
  await expect(page.getByRole("link", { name: `v${version.version}` })).toBeVisible();
  await expect(page.getByText("non-commercial, share-alike (CT-RATE: CC BY-NC-SA 4.0)").first()).toBeVisible();
});

test("one spike among a million points is drawn at full zoom-out", async ({ page, request }) => {
  test.setTimeout(180_000);
  const run = await apiRun(request, { name: "million points" });
  const SPIKE = 654_321;
  for (let b = 0; b < 100; b++) {
    const points = Array.from({ length: 10_000 }, (_, i) => {
      const step = b * 10_000 + i;
      return { key: "loss", step, value: step === SPIKE ? 100 : 1 + 0.1 * Math.sin(step / 5000), ts: 1.7e9 + step };
    });
    await ingest(request, run.id, points);
  }
  await signInAdmin(page);
  await page.goto(`/runs/${run.id}`);
  const chart = page.getByRole("img", { name: /^loss: last value/ });
  await expect(chart).toBeVisible();
  await expect(page.getByText(/raw points per pixel/).first()).toBeVisible();
  await chart.screenshot({ path: test.info().outputPath("spike.png") });
  // Find the spike in what was drawn: the highest point of any line, and where it sits across the plot.
  const drawn = await chart.evaluate((el) => {
    const grid = el.querySelector(".recharts-cartesian-grid")!.getBoundingClientRect();
    let top = { y: Infinity, x: 0 };
    for (const path of el.querySelectorAll<SVGPathElement>(".recharts-line-curve")) {
      const len = path.getTotalLength();
      const ctm = path.getScreenCTM()!;
      for (let d = 0; d <= len; d += 0.5) {
        const p = path.getPointAtLength(d).matrixTransform(ctm);
        if (p.y < top.y) top = { y: p.y, x: p.x };
      }
    }
    return { fromTop: (top.y - grid.top) / grid.height, across: (top.x - grid.left) / grid.width };
  });
  expect(drawn.fromTop).toBeLessThan(0.1);
  expect(drawn.across).toBeGreaterThan(0.63);
  expect(drawn.across).toBeLessThan(0.68);
});

// How soon they come is a speed target (the page polls), not something a test times on a busy host.
test("new points appear on an open run page without a reload, and NaN is marked", async ({ page, request }) => {
  const run = await apiRun(request, { name: "live" });
  await start(request, run.id);
  await ingest(request, run.id, Array.from({ length: 10 }, (_, step) => ({ key: "loss", step, value: 1 / (step + 1) })));
  await signInAdmin(page);
  await page.goto(`/runs/${run.id}`);
  const chart = page.getByRole("img", { name: /^loss: last value/ });
  await expect(chart).toHaveAttribute("aria-label", /at step 9\b/);
  await ingest(request, run.id, [{ key: "loss", step: 10, value: 0.05 }, { key: "loss", step: 11, value: "NaN" }]);
  await expect(chart).toHaveAttribute("aria-label", /at step 1[01]\b/);
  await expect(page.getByText("NaN").first()).toBeVisible();
});

test("logs tail and search; the timeline shows every status change", async ({ page, request }) => {
  const run = await apiRun(request, { name: "logs" });
  await start(request, run.id);
  const chunks = Array.from({ length: 20 }, (_, seq) => ({ seq, text: `step ${seq * 100}: loss ${(1 / (seq + 1)).toFixed(3)}\n` }));
  expect((await request.post(`/api/v1/runs/${run.id}/logs`, { headers: admin(), data: { chunks: [...chunks, { seq: 20, text: "WARNING: gradient norm 1e4 at step 2000\n" }] } })).status()).toBe(200);
  await signInAdmin(page);
  await page.goto(`/runs/${run.id}`);
  await page.getByRole("tab", { name: "Logs" }).click();
  const log = page.getByRole("log");
  await expect(log).toContainText("step 1900: loss 0.050");
  await page.getByRole("searchbox").or(page.getByLabel(/search/i)).first().fill("WARNING");
  await expect(log).toContainText("gradient norm");
  await expect(log).not.toContainText("step 1900");
  await page.getByRole("tab", { name: "Timeline" }).click();
  for (const s of ["queued", "starting", "running"]) await expect(page.getByRole("tabpanel").getByText(s, { exact: false }).first()).toBeVisible();
});

test("compare two runs: overlaid curves and the config difference", async ({ page, request }) => {
  const tag = `cmp${Date.now()}`;
  const a = await apiRun(request, { name: `${tag} a`, tags: [tag], hyperparameters: { learningRate: 0.001 } });
  const b = await apiRun(request, { name: `${tag} b`, tags: [tag], hyperparameters: { learningRate: 0.0001 } });
  for (const [i, r] of [a, b].entries()) await ingest(request, r.id, Array.from({ length: 50 }, (_, step) => ({ key: "loss", step, value: (i + 1) / (step + 1) })));
  await signInAdmin(page);
  await page.goto(`/runs?tag=${tag}`);
  await page.getByRole("checkbox", { name: new RegExp(`${tag} a`) }).check();
  await page.getByRole("checkbox", { name: new RegExp(`${tag} b`) }).check();
  await page.getByRole("button", { name: /Compare/ }).or(page.getByRole("link", { name: /Compare/ })).first().click();
  await expect(page).toHaveURL(/\/runs\/compare\?ids=/);
  await expect(page.getByText(`${tag} a`).first()).toBeVisible();
  await expect(page.getByText(`${tag} b`).first()).toBeVisible();
  await expect(page.getByRole("row", { name: /learningRate/ })).toContainText("0.001");
});
