// First-load JavaScript of the dashboard shell, gzip-compressed, as a browser fetches it.
//   BASE_URL=http://localhost:3000 EMAIL=… PASSWORD=… npm run bench:shell
import { gzipSync } from "node:zlib";
import { chromium, type Page } from "playwright-core";

const base = process.env.BASE_URL ?? "http://localhost:3000";
const TARGET_KB = 250;

async function scriptBytes(page: Page, url: string) {
  const bodies = new Map<string, Buffer>();
  const onResponse = async (r: import("playwright-core").Response) => {
    if (r.request().resourceType() === "script") bodies.set(r.url(), await r.body().catch(() => Buffer.alloc(0)));
  };
  page.on("response", onResponse);
  await page.goto(url, { waitUntil: "networkidle" });
  page.off("response", onResponse);
  return [...bodies.values()].reduce((n, b) => n + gzipSync(b).length, 0) / 1024;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const ctx = await browser.newContext();
const page = await ctx.newPage();
const login = await scriptBytes(page, `${base}/login`);
await page.getByLabel("Email").fill(process.env.EMAIL ?? "");
await page.getByLabel("Password").fill(process.env.PASSWORD ?? "");
await page.getByRole("button", { name: "Sign in", exact: true }).click();
await page.getByRole("heading", { name: "Overview" }).waitFor();
const fresh = await ctx.newPage();
const shell = await scriptBytes(fresh, `${base}/datasets`);
await browser.close();
for (const [name, kb] of [["shell.first_load_js_login", login], ["shell.first_load_js_dashboard", shell]] as const) {
  console.log(`bench ${name}: ${kb.toFixed(1)} kB gzip (baseline ${TARGET_KB} kB target, ratio ${(kb / TARGET_KB).toFixed(2)})`);
}
