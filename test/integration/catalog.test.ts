import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { listDatasets, getDataset } from "../../lib/services/datasets/list-datasets";
import { seedCatalog } from "../../lib/services/datasets/seed-catalog";
import { makeUser } from "../support/factories";

const system = { actor: { kind: "system" as const, label: "test" } };

describe("public CT catalog", () => {
  it("seeds once; a second seed adds nothing", async () => {
    const first = await seedCatalog(system);
    expect(first.total).toBe(20);
    const second = await seedCatalog(system);
    expect(second.added).toBe(0);
    expect(await db.dataset.count()).toBe(20);
  });

  it("keeps unverified rows marked and license consequences filterable for every role", async () => {
    await seedCatalog(system);
    const { actor } = await makeUser("CLINICIAN");
    const ctRate = await getDataset(actor, "ct-rate");
    expect(ctRate).toMatchObject({ license: "CC BY-NC-SA 4.0", commercialUse: "NO", shareAlike: true, verified: "YES", gated: true });
    expect(ctRate.licenseHistory.map((h) => h.license)).toEqual(["CC BY-NC-SA 4.0"]);
    const amos = await getDataset(actor, "amos22");
    expect(amos.verified).toBe("NO");
    const commercial = await listDatasets(actor, { commercial: "YES" });
    expect(commercial.map((d) => d.slug)).toEqual(expect.arrayContaining(["nlst", "lidc-idri", "totalsegmentator-v2"]));
    expect(commercial.every((d) => d.commercialUse === "YES")).toBe(true);
  });

  it("refuses to seed for a clinician", async () => {
    const { ctx } = await makeUser("CLINICIAN");
    await expect(seedCatalog(ctx)).rejects.toThrow(/not allowed/);
  });
});
