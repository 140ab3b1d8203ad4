// Datasets as people use them in the browser: a researcher makes a team dataset, registers a folder of real DICOM
// files, watches it index and publishes it; anyone opens a volume and sees its previews and the interactive
// viewer, whose crosshair reports millimetres that agree with the volume's affine.
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createUser, uiSignIn } from "./support/accounts";

test("a researcher creates a team dataset, registers a DICOM folder, watches it index, and publishes it", async ({ page, request }) => {
  test.setTimeout(120_000);
  const r = await createUser(request, "RESEARCHER");
  await uiSignIn(page, r.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/datasets");
  await page.getByText("New team dataset").click();
  const name = `Phantom scans ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("License").fill("BSD-2-Clause");
  await page.getByRole("button", { name: "Create dataset" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("No versions with files")).toBeVisible();
  await page.getByRole("textbox", { name: "Version" }).fill("1");
  await page.getByRole("button", { name: "New draft version" }).click();
  await expect(page.getByRole("heading", { name: /v1$/ })).toBeVisible();
  await expect(page.getByText("No volumes yet")).toBeVisible();
  // A traversal attempt is refused at the field; the real folder is indexed.
  await page.getByLabel("Folder under it").fill("../..");
  await page.getByRole("button", { name: "Register folder" }).click();
  await expect(page.getByText(/may not contain '\.' or '\.\.' segments/)).toBeVisible();
  await page.getByLabel("Folder under it").fill("dicom-series-philips-phantom-axial");
  await page.getByRole("button", { name: "Register folder" }).click();
  await expect(page.getByText(/10 indexed, 0 failed of 10 files/)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: /done, 100 %/ })).toBeVisible();
  await expect(page.getByRole("figure", { name: /^Scanner manufacturer\. Philips: 1/ })).toBeVisible();
  await expect(page.getByRole("cell", { name: "512×512×10" })).toBeVisible();
  // And a file from this computer, uploaded resumably with a progress bar, indexed like the rest.
  await page.getByLabel("Choose files to upload").setInputFiles(path.resolve(import.meta.dirname, "../fixtures/ct/example_ct_sm.nii.gz"));
  await expect(page.getByRole("progressbar", { name: /Upload: 1 of 1 files, 100 %/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("cell", { name: "122×101×30" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Publish version" }).click();
  await expect(page.getByText("published", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Manifest (CSV)" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Register folder" })).toHaveCount(0);
});

test("a volume's previews and viewer: three planes in each window, a crosshair in mm that agrees with the affine", async ({ page, request }) => {
  test.setTimeout(120_000);
  const c = await createUser(request, "CLINICIAN");
  await uiSignIn(page, c.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/datasets/sample-ct");
  await expect(page.getByRole("heading", { name: "License", exact: true })).toBeVisible();
  await page.getByRole("link", { name: "v1" }).click();
  await expect(page.getByRole("figure", { name: /^HU of all voxels\./ })).toBeVisible();
  // Clinicians see no patient column and no manifest.
  await expect(page.getByRole("columnheader", { name: "Patient" })).toHaveCount(0);
  // File names can carry identifiers: clinicians see volumes under neutral names.
  await expect(page.getByRole("link", { name: "example_ct.nii.gz" })).toHaveCount(0);
  await page.getByRole("link", { name: /^volume [a-z0-9]{8}$/ }).first().click();
  for (const plane of ["axial", "coronal", "sagittal"]) {
    const img = page.getByRole("img", { name: `${plane} mid-plane in the soft tissue window` });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(50);
  }
  await page.getByRole("group", { name: "CT window" }).first().getByRole("button", { name: "bone" }).click();
  const bone = page.getByRole("img", { name: "axial mid-plane in the bone window" });
  await expect.poll(() => bone.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(50);

  const crosshair = page.getByTestId("crosshair");
  const canvas = page.getByRole("img", { name: /CT volume viewer/ }).or(page.locator("canvas[aria-label^='CT volume viewer']"));
  await expect(page.getByText("Loading the volume…")).toHaveCount(0, { timeout: 60_000 });
  const box = (await canvas.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.3);
  await expect(crosshair).toHaveAttribute("data-vox", /\d+,\d+,\d+/);
  const vox = (await crosshair.getAttribute("data-vox"))!.split(",").map(Number);
  const mm = (await crosshair.getAttribute("data-mm"))!.split(",").map(Number);
  // The affine the index computed (the one nibabel reads): the viewer's millimetres, mapped back through it, must
  // land inside the voxel the viewer names (the click falls anywhere within a 3 mm voxel).
  const version = page.url().split("/versions/")[1].split("/")[0];
  const scans = await (await page.request.get(`/api/v1/dataset-versions/${version}/scans`)).json();
  const a = scans.scans[0].affine as number[][];
  const m = [0, 1, 2].map((r) => [0, 1, 2].map((c) => a[r][c]));
  const det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const d = [0, 1, 2].map((r) => mm[r] - a[r][3]);
  // Cramer's rule: the voxel coordinates of the crosshair.
  const ijk = [0, 1, 2].map((col) => {
    const mc = m.map((row, r) => row.map((x, c) => (c === col ? d[r] : x)));
    return (mc[0][0] * (mc[1][1] * mc[2][2] - mc[1][2] * mc[2][1]) - mc[0][1] * (mc[1][0] * mc[2][2] - mc[1][2] * mc[2][0]) + mc[0][2] * (mc[1][0] * mc[2][1] - mc[1][1] * mc[2][0])) / det;
  });
  ijk.forEach((x, i) => expect(Math.abs(x - vox[i]), `axis ${i}: ${x} vs voxel ${vox[i]}`).toBeLessThanOrEqual(0.5001));
  await expect(crosshair).toContainText(/HU/);
});
