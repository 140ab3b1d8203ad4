// Regenerates the README screenshots from a running instance:
//   BASE_URL=http://localhost:3000 EMAIL=… PASSWORD=… [RUN_ID=…] [VERSION_PATH=/datasets/…/versions/…] npx tsx scripts/screenshots.mts
import { chromium } from "playwright-core";

const base = process.env.BASE_URL ?? "http://localhost:3000";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
await page.goto(`${base}/login`);
await page.screenshot({ path: "docs/screenshots/login.png" });
await page.getByLabel("Email").fill(process.env.EMAIL ?? "");
await page.getByLabel("Password").fill(process.env.PASSWORD ?? "");
await page.getByRole("button", { name: "Sign in", exact: true }).click();
await page.getByRole("heading", { name: "Overview" }).waitFor();
await page.goto(`${base}/datasets`);
await page.screenshot({ path: "docs/screenshots/datasets.png" });
if (process.env.VERSION_PATH) {
  await page.goto(`${base}${process.env.VERSION_PATH}`);
  await page.getByRole("heading", { name: "Distributions" }).waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: "docs/screenshots/dataset-version.png", fullPage: true });
  await page.getByRole("link", { name: "I10" }).first().click();
  await page.getByTestId("crosshair").getByText(/click in the image/).waitFor({ timeout: 60_000 });
  const canvas = page.locator("canvas[aria-label^='CT volume viewer']");
  const box = (await canvas.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.22, box.y + box.height * 0.3);
  await page.waitForTimeout(500);
  await page.screenshot({ path: "docs/screenshots/volume.png", fullPage: true });
}
await page.goto(`${base}/runs`);
await page.getByRole("table").first().waitFor();
await page.screenshot({ path: "docs/screenshots/runs.png" });
if (process.env.RUN_ID) {
  await page.goto(`${base}/runs/${process.env.RUN_ID}`);
  await page.locator(".recharts-line-curve").first().waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: "docs/screenshots/run.png" });
}
await page.goto(`${base}/workers`);
await page.getByRole("heading", { name: "Workers" }).waitFor();
await page.waitForTimeout(1000);
await page.screenshot({ path: "docs/screenshots/workers.png" });
await page.goto(`${base}/admin/audit`);
await page.screenshot({ path: "docs/screenshots/audit-log.png" });
await browser.close();
