// Journeys that go through a mailbox: the server sends real mail to the SMTP server the tests started (global
// setup), and each test reads the message as a mail client would and follows its link in the browser.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { linkIn, waitForMailIn } from "../support/mail-catcher";
import { apiSignIn, createUser, PASSWORD, uiSignIn } from "./support/accounts";
import { withDatabase } from "./support/database";
import { walkPage } from "./support/page-checks";
import { releaseOf } from "./support/releases";

const CONFIRM = "Confirm your email address for Hounsfield";
const SIGN_IN = "Your Hounsfield sign-in link";
const mailTo = (address: string, subject: string, count = 1) => waitForMailIn(process.env.E2E_MAIL_DIR!, address, { subject, count, timeoutMs: 45_000 });
const base = () => process.env.E2E_BASE_URL!;

async function register(page: Page, email: string) {
  await page.goto("/register");
  await page.getByLabel("Name").fill("Mail Journey");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page).toHaveURL(/\/login\?registered=1/);
}

test("register → confirmation mail → confirm → approved at once by the release's domain rule", async ({ page, browser, request, playwright }) => {
  test.setTimeout(180_000);
  const domain = `uni-${randomBytes(3).toString("hex")}.example`;
  // Another user's GATED release; its maker sets the domain rule in the release form, which says what it trusts.
  const owner = await createUser(request, "RESEARCHER");
  const ownerApi = await playwright.request.newContext({ baseURL: base() });
  await apiSignIn(ownerApi, owner.email);
  const release = await releaseOf(request, ownerApi, { policy: "GATED" });
  const ownerPage = await (await browser.newContext({ baseURL: base() })).newPage();
  await uiSignIn(ownerPage, owner.email);
  await expect(ownerPage.getByRole("heading", { name: "Overview" })).toBeVisible();
  await ownerPage.goto(`/releases/${release}`);
  const domains = ownerPage.getByLabel("People whose email is at the domains");
  await expect(ownerPage.getByText("Requests from unconfirmed addresses are not approved automatically")).toBeVisible();
  await domains.fill(domain);
  await ownerPage.getByRole("button", { name: "Save the rules" }).click();
  await expect(ownerPage.getByRole("status").filter({ hasText: "Rules saved." })).toBeVisible();
  await ownerPage.reload();
  await expect(domains).toHaveValue(domain);
  await walkPage(ownerPage, `/releases/${release}`, (q) => [q.getByLabel("People whose email is at the domains"), q.getByRole("button", { name: "Save the rules" })]);

  // Someone at the domain who never confirms waits for an administrator.
  const unconfirmed = `lurker@${domain}`;
  await register(page, unconfirmed);
  const lurker = await playwright.request.newContext({ baseURL: base() });
  await apiSignIn(lurker, unconfirmed);
  const asked = await lurker.post(`/api/v1/releases/${release}/requests`, { data: { institution: "Uni", role: "radiologist", intendedUse: "segmentation research", acceptTerms: true, termsVersion: "1" } });
  expect((await asked.json()).status).toBe("PENDING");

  // The newcomer confirms from the real mail, then asks.
  const email = `newcomer@${domain}`;
  await register(page, email);
  const mail = await mailTo(email, CONFIRM);
  expect(mail.from).toContain("noreply@example.org");
  const link = linkIn(mail, `${base()}/confirm-email#token=`);
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page.getByRole("status")).toHaveText(`${email} is confirmed.`);
  // A link works once (a fresh page load: the same URL would only change its #fragment).
  await page.goto("about:blank");
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not valid any more" })).toBeVisible();

  await uiSignIn(page, email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/settings/account");
  await expect(page.getByText("Confirmed by an emailed link")).toBeVisible();
  await page.goto(`/releases/${release}`);
  await page.getByLabel("Institution").fill("University Hospital");
  await page.getByLabel("Your role").fill("radiologist");
  await page.getByLabel("Intended use").fill("fine-tune for liver lesion segmentation");
  await page.getByLabel(/I accept the terms of this release/).check();
  await page.getByRole("button", { name: "Request access" }).click();
  await expect(page.getByText("You can download this release.")).toBeVisible();
});

test("a locked-out owner on a new address signs in with the link from their mail", async ({ page, request }) => {
  const owner = await createUser(request, "RESEARCHER");
  // Guesses from many addresses: the account now takes passwords only from addresses it signed in from before,
  // and this browser's address never did.
  await withDatabase((db) => db.query(`INSERT INTO "LoginAttempt" (email, ip, success) SELECT $1, '203.0.113.' || g, false FROM generate_series(1, 60) g`, [owner.email]));
  await uiSignIn(page, owner.email);
  await expect(page.getByTestId("login-error")).toContainText("password-guessing attack");
  await expect(page.getByTestId("login-error")).toContainText("sign in with a link sent by email");

  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByLabel("Your account's email").fill(owner.email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses this address, a sign-in link is on its way");

  const mail = await mailTo(owner.email, SIGN_IN);
  const link = linkIn(mail, `${base()}/login/link#token=`);
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/settings/sessions");
  await expect(page.getByRole("table")).toContainText("link");
  // Used once: it signs nobody in again.
  await page.context().clearCookies();
  await page.goto("about:blank");
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("This sign-in link is not valid any more")).toBeVisible();
});

test("an admin unlocks a locked-out user from Admin → users", async ({ page, browser, request }) => {
  const user = await createUser(request, "CLINICIAN");
  const victim = await (await browser.newContext({ baseURL: base() })).newPage();
  for (let i = 0; i < 6; i++) {
    await uiSignIn(victim, user.email, `wrong password ${i}`);
    await expect(victim.getByTestId("login-error")).toBeVisible();
  }
  await uiSignIn(victim, user.email);
  await expect(victim.getByTestId("login-error")).toContainText("an administrator can unlock the account");

  await uiSignIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/admin");
  await page.getByLabel("Find a user").fill(user.email);
  const row = page.getByTestId(`user-${user.email}`);
  await expect(row).toContainText(/\d+ failed sign-ins lately/);
  await row.getByRole("button", { name: `Unlock sign-in for ${user.email}` }).click();
  // The toast and its screen-reader announcement both say it.
  await expect(page.getByText(`Unlocked ${user.email}`).first()).toBeVisible();
  await expect(row.getByRole("button", { name: /Unlock sign-in/ })).toHaveCount(0);

  await uiSignIn(victim, user.email);
  await expect(victim.getByRole("heading", { name: "Overview" })).toBeVisible();
});

test("the account page: a confirmation link on request, and notification mails opted into", async ({ page, request }) => {
  const user = await createUser(request, "RESEARCHER");
  await uiSignIn(page, user.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await expect(page.getByText("Not confirmed", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Email me a confirmation link" }).click();
  await expect(page.getByRole("status")).toContainText(`A confirmation link is on its way to ${user.email}`);
  // The first came at registration; this is the one asked for.
  await mailTo(user.email, CONFIRM, 2);

  await page.getByLabel("My runs that fail or are lost").check();
  await page.getByRole("button", { name: "Save email settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("My runs that fail or are lost")).toBeChecked();
  await expect(page.getByLabel("Decisions on my access to releases (approved, denied, revoked)")).not.toBeChecked();
});

test("the new pages at 1440 and 390 px, as each role: no sideways scroll, named controls, all reachable by keyboard", async ({ page, browser, request }) => {
  test.setTimeout(180_000);
  for (const role of ["CLINICIAN", "RESEARCHER", "ADMIN"] as const) {
    const u = await createUser(request, role);
    const ctx = await browser.newContext({ baseURL: base() });
    const p = await ctx.newPage();
    await uiSignIn(p, u.email);
    await expect(p.getByRole("heading", { name: "Overview" })).toBeVisible();
    await walkPage(p, "/settings/account", (q) => [
      q.getByRole("button", { name: "Email me a confirmation link" }),
      q.getByLabel("Decisions on my access to releases (approved, denied, revoked)"),
      q.getByLabel("My runs that fail or are lost"),
      q.getByRole("button", { name: "Save email settings" }),
    ]);
    if (role === "ADMIN") {
      await walkPage(p, `/admin`, (q) => [q.getByLabel("Find a user")]);
    }
    await ctx.close();
  }
  // Pages for people who aren't signed in.
  await walkPage(page, "/login", (q) => [q.getByLabel("Email"), q.getByRole("button", { name: "Email me a sign-in link" })]);
  await page.getByRole("button", { name: "Email me a sign-in link" }).press("Enter");
  await expect(page.getByLabel("Your account's email")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send the link" })).toBeFocused();
  await walkPage(page, "/login/link#token=signin_x", (q) => [q.getByRole("button", { name: "Sign in" }), q.getByRole("link", { name: "Back to sign-in" })]);
  await walkPage(page, "/confirm-email#token=confirm_x", (q) => [q.getByRole("button", { name: "Confirm my address" })]);
});
