// What reaches the server before any handler: foreign Host headers, huge or endless bodies, and the headers
// every answer carries. Sent the way an attacker would, over a bare socket where a browser wouldn't.
import { expect, test } from "@playwright/test";
import { apiSignIn, createUser, uiSignIn } from "./support/accounts";
import { rawRequest } from "./support/raw-http";

const base = () => process.env.E2E_BASE_URL!;
const port = () => new URL(base()).port;

test("a declared 300 MB body to the sign-in callback is refused before it is read", async () => {
  const r = await rawRequest(base(), `POST /api/auth/callback/credentials HTTP/1.1\nHost: localhost:${port()}\nContent-Type: application/x-www-form-urlencoded\nContent-Length: ${300 * 1024 * 1024}`, "email=a");
  expect(r.status).toBe(413);
  expect(JSON.parse(r.text)).toMatchObject({ status: 413, title: "Payload too large" });
  const chunked = await rawRequest(base(), `POST /api/auth/callback/credentials HTTP/1.1\nHost: localhost:${port()}\nTransfer-Encoding: chunked`, "5\r\nemail\r\n");
  expect(chunked.status).toBe(411);
});

test("a foreign Host (DNS rebinding) gets 421 on pages and API alike; IP literals and localhost are served", async () => {
  for (const path of ["/login", "/api/v1/health"]) {
    const r = await rawRequest(base(), `GET ${path} HTTP/1.1\nHost: attacker.example:${port()}\nConnection: close`);
    expect(r.status, path).toBe(421);
  }
  for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`]) {
    expect((await rawRequest(base(), `GET /api/v1/health HTTP/1.1\nHost: ${host}\nConnection: close`)).status).toBe(200);
  }
});

test("a cookie-carrying write from another origin is refused, even when that origin names our Host", async ({ request, playwright }) => {
  const u = await createUser(request, "RESEARCHER");
  const ctx = await playwright.request.newContext({ baseURL: base() });
  await apiSignIn(ctx, u.email);
  const res = await ctx.post("/api/v1/tokens", { headers: { origin: "http://attacker.example", host: "attacker.example" }, data: { name: "x", scopes: ["read"] } });
  expect([403, 421]).toContain(res.status());
  const same = await ctx.post("/api/v1/tokens", { headers: { origin: base() }, data: { name: "x", scopes: ["read"] } });
  expect(same.status()).toBe(201);
  await ctx.dispose();
});

test("pages carry a nonce-based CSP that the app's own scripts satisfy, and no violation is reported", async ({ page, request }) => {
  const violations: string[] = [];
  page.on("console", (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  const res = await page.goto("/login");
  const csp = res!.headers()["content-security-policy"];
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  // Every script Next rendered carries this response's nonce.
  const scripts = await page.locator("script").evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((n) => n === nonce)).toBe(true);
  // The app works under it: sign in (client-side JS) and draw the dashboard.
  const u = await createUser(request, "RESEARCHER");
  await uiSignIn(page, u.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const again = await page.goto("/runs");
  expect(/'nonce-([^']+)'/.exec(again!.headers()["content-security-policy"])?.[1]).not.toBe(nonce);
  expect(violations).toEqual([]);
});

test("signing out ends the session on the server: the old cookie no longer works", async ({ page, request }) => {
  const u = await createUser(request, "RESEARCHER");
  await uiSignIn(page, u.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.context().addCookies(cookies);
  expect((await page.request.get("/api/v1/me")).status()).toBe(401);
  await page.goto("/datasets");
  await expect(page).toHaveURL(/\/login/);
});

test("sessions page: see where you are signed in, and sign out everywhere", async ({ page, browser, request }) => {
  const u = await createUser(request, "CLINICIAN");
  const other = await browser.newContext({ baseURL: base() });
  const otherPage = await other.newPage();
  await uiSignIn(otherPage, u.email);
  await expect(otherPage.getByRole("heading", { name: "Overview" })).toBeVisible();
  await uiSignIn(page, u.email);
  await page.getByRole("link", { name: "Sessions" }).click();
  await expect(page.getByTestId("session-row")).toHaveCount(2);
  await expect(page.getByTestId("session-row").filter({ hasText: "this session" })).toHaveCount(1);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login/);
  expect((await otherPage.request.get("/api/v1/me")).status()).toBe(401);
  await other.close();
});

test("an error link can't put words on the sign-in page", async ({ page }) => {
  await page.goto("/login?error=Your%20account%20is%20compromised%2C%20call%20%2B1%20555%200100");
  await expect(page.getByTestId("login-error")).toHaveText("Sign-in failed. Try again.");
});

test("a NUL byte in the sign-in email is a wrong password, not database text in the URL", async ({ request }) => {
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  const r = await request.post("/api/auth/callback/credentials", { form: { csrfToken, email: "root\u0000@example.org", password: "whatever pw", json: "true" } });
  expect(r.status()).toBeLessThan(500);
  const { url } = await r.json();
  expect(decodeURIComponent(url)).not.toMatch(/byte sequence|UTF8|0x00|prisma/i);
  expect(decodeURIComponent(url)).toContain("Wrong email or password.");
});

test("every /api/v1 path answers as the API does: unknown or malformed paths are 404 problems, never redirects or pages", async ({ request }) => {
  for (const path of ["/api/v1/runs//logs?" + "after=1&".repeat(1500), "/api/v1/nope", "/api/v1/runs/x/nope", "/api/v1/"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path.slice(0, 40)).toBe(404);
    expect(res.headers()["content-type"]).toContain("application/problem+json");
  }
  const wrong = await request.fetch("/api/v1/health", { method: "PUT" });
  expect(wrong.status()).toBe(405);
  expect(wrong.headers()["allow"]).toBe("GET, HEAD, OPTIONS");
});
