// The newcomer's demo, as a newcomer does it: `hounsfield start` with its local CPU worker, sign in, queue a run
// of the tiny preset on the sample CT from the form, and watch it train to SUCCEEDED with its loss drawn falling.
import { expect, test } from "@playwright/test";
import { startServer, type StartedServer } from "../support/start-server";

test("a fresh install trains a tiny run on the sample CT from the UI, on its local worker", async ({ browser }) => {
  test.setTimeout(420_000);
  let server: StartedServer | undefined;
  try {
    server = await startServer({ LOCAL_AGENT: "true", HEARTBEAT_SECONDS: "2" });
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
  } finally {
    await server?.stop();
  }
});
