import { expect, test } from "@playwright/test";
import { createUser, PASSWORD, setDisabled, uiSignIn, uniqueEmail } from "./support/accounts";

test("a newcomer registers, signs in and lands on the dashboard", async ({ page }) => {
  const email = uniqueEmail("newcomer");
  await page.goto("/register");
  await page.getByLabel("Name").fill("New Comer");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByText("at least 10 characters").first()).toBeVisible();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page).toHaveURL(/\/login\?registered=1/);
  await expect(page.getByRole("status")).toContainText("Sign in below");
  await uiSignIn(page, email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Datasets" })).toBeVisible();
  // A clinician sees no training or admin areas.
  await expect(nav.getByRole("link", { name: "Runs" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
  await nav.getByRole("link", { name: "Datasets", exact: true }).click();
  await expect(page.getByRole("table", { name: "Dataset catalog" })).toContainText("CT-RATE");
  await expect(page.getByRole("row", { name: /AMOS22/ })).toContainText("unverified");
});

test("a wrong password says so and keeps the user on the sign-in page", async ({ page, request }) => {
  const u = await createUser(request, "RESEARCHER");
  await uiSignIn(page, u.email, "not the password");
  await expect(page.getByTestId("login-error")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("too many failures lock this address out of the account with a clear message, even for the right password", async ({ page, request }) => {
  const u = await createUser(request, "CLINICIAN");
  for (let i = 0; i < 5; i++) {
    await uiSignIn(page, u.email, `wrong password ${i}`);
    await expect(page.getByTestId("login-error")).toHaveText("Wrong email or password.");
  }
  await uiSignIn(page, u.email);
  await expect(page.getByTestId("login-error")).toContainText(/Too many failed sign-in attempts for this account from your address\. Try again in \d+ minutes?/);
  await expect(page).toHaveURL(/\/login/);
});

test("role-gated pages: a clinician gets the 403 page, an admin gets the users table", async ({ page, request }) => {
  const clinician = await createUser(request, "CLINICIAN");
  await uiSignIn(page, clinician.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  await page.goto("/runs");
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();

  await page.context().clearCookies();
  await uiSignIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/admin");
  await expect(page.getByRole("table", { name: "Users" })).toContainText(clinician.email);
});

test("an admin confirms a researcher who asked for that role at registration", async ({ page, request }) => {
  const email = uniqueEmail("asks");
  expect((await request.post("/api/v1/register", { data: { email, name: "Asks", password: PASSWORD, role: "RESEARCHER" } })).status()).toBe(202);
  await uiSignIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/admin");
  await page.getByLabel("Find a user").fill(email);
  const row = page.getByTestId(`user-${email}`);
  await expect(row).toContainText("asks for researcher");
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("RESEARCHER");
  await expect(row).not.toContainText("asks for");
});

test("a disabled user is thrown out on their next request", async ({ page, request }) => {
  const u = await createUser(request, "RESEARCHER");
  await uiSignIn(page, u.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/datasets");
  await expect(page.getByRole("heading", { name: "Datasets" })).toBeVisible();
  await setDisabled(request, u.id, true);
  await page.goto("/datasets");
  await expect(page).toHaveURL(/\/login/);
  const api = await page.request.get("/api/v1/me");
  expect(api.status()).toBe(401);
  await uiSignIn(page, u.email);
  await expect(page.getByTestId("login-error")).toContainText("disabled");
});

test("API token: created in the UI, shown once, works as Bearer, then revoked", async ({ page, request, playwright }) => {
  const u = await createUser(request, "RESEARCHER");
  await uiSignIn(page, u.email);
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByText("No tokens yet")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("notebook");
  await page.getByRole("checkbox", { name: "runs:write" }).check();
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: "Your new token" });
  const secret = (await dialog.getByTestId("new-token-secret").textContent())!.trim();
  expect(secret).toMatch(/^hfk_/);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(page.getByTestId("token-notebook")).toContainText("read, runs:write");
  await expect(page.getByTestId("token-notebook")).not.toContainText(secret);

  const bare = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL });
  const me = await bare.get("/api/v1/me", { headers: { authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).email).toBe(u.email);

  await page.reload();
  // "Last used" is filled in by the request just made.
  await expect(page.getByTestId("token-notebook").getByRole("cell").nth(4)).not.toHaveText("never");
  await page.getByRole("button", { name: "Revoke notebook" }).click();
  await expect(page.getByTestId("token-notebook")).toContainText("revoked");
  const after = await bare.get("/api/v1/me", { headers: { authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).detail).toMatch(/revoked/);
  await bare.dispose();
});

test("institutional SSO: sign in through a real OIDC issuer", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with Test SSO" }).click();
  const login = `sso${Date.now()}`;
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  if (await consent.isVisible({ timeout: 5_000 }).catch(() => false)) await consent.click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText(`${login}@sso.example.org`);
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText("clinician");
});

test("unknown pages and API paths answer 404 in their own format", async ({ page, request }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  const api = await request.get("/api/v1/no-such-thing");
  expect(api.status()).toBe(404);
  expect(api.headers()["content-type"]).toContain("application/problem+json");
});

test("theme toggle switches to dark and is remembered", async ({ page }) => {
  await uiSignIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const toggle = page.getByRole("button", { name: /^Theme:/ });
  await toggle.click(); // system → light
  await toggle.click(); // light → dark
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
});
