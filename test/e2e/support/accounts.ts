import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export type Role = "ADMIN" | "RESEARCHER" | "CLINICIAN";
export const PASSWORD = "a long test password";

const admin = () => ({ authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` });

export function uniqueEmail(tag: string) {
  return `${tag}-${randomBytes(4).toString("hex")}@example.org`;
}

/** A user of the given role, made through the public API the way people would. */
export async function createUser(request: APIRequestContext, role: Role) {
  const email = uniqueEmail(role.toLowerCase());
  const reg = await request.post("/api/v1/register", { data: { email, name: `E2E ${role}`, password: PASSWORD } });
  expect(reg.status(), await reg.text()).toBe(202);
  // Registration answers the same for new and taken emails; the id comes from the admin's list.
  const list = await request.get(`/api/v1/users?q=${encodeURIComponent(email)}`, { headers: admin() });
  const user = (await list.json()).users.find((u: { email: string }) => u.email === email);
  if (role !== "CLINICIAN") {
    const r = await request.patch(`/api/v1/users/${user.id}`, { headers: admin(), data: { role } });
    expect(r.status()).toBe(200);
  }
  return { id: user.id as string, email };
}

export async function setDisabled(request: APIRequestContext, id: string, disabled: boolean) {
  const r = await request.patch(`/api/v1/users/${id}`, { headers: admin(), data: { disabled } });
  expect(r.status()).toBe(200);
}

/** next-auth's credentials flow over HTTP: the context keeps the session cookie. */
export async function apiSignIn(request: APIRequestContext, email: string, password = PASSWORD) {
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  const r = await request.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } });
  expect(r.ok()).toBe(true);
  const me = await request.get("/api/v1/me");
  expect(me.status()).toBe(200);
}

export async function uiSignIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function createToken(request: APIRequestContext, userEmail: string, scopes: string) {
  const { cli } = await import("./cli");
  return (await cli(["token", "create", "--email", userEmail, "--scopes", scopes, "--name", `t-${randomBytes(3).toString("hex")}`])).trim();
}
