import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commitOf, lfsPointer, pickRevision, releaseNameOf } from "@/lib/releases/hub-ids";

const day = (d: number) => new Date(Date.UTC(2026, 10, d));
const row = (id: string, version: string, o: { status?: string; deprecated?: boolean; published?: number } = {}) => ({
  id, version, status: o.status ?? "PUBLISHED", deprecatedAt: o.deprecated ? day(20) : null, publishedAt: o.status === "DRAFT" ? null : day(o.published ?? 1), createdAt: day(1),
});

describe("Hub repository ids and revisions", () => {
  it("names a release only under our namespace (any case), and only with a release's name", () => {
    expect(releaseNameOf("hounsfield", "ct-dino", "hounsfield")).toBe("ct-dino");
    expect(releaseNameOf("Hounsfield", "ct-dino", "hounsfield")).toBe("ct-dino");
    expect(releaseNameOf("someone", "ct-dino", "hounsfield")).toBeNull();
    for (const bad of ["..", "../x", "CT-DINO", "x", "a b", "x".repeat(65)]) expect(releaseNameOf("hounsfield", bad, "hounsfield")).toBeNull();
  });

  it("lists an LFS file under the git blob id of its pointer, as git computes it", () => {
    const sha = "a".repeat(64);
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize 1234\n`;
    const git = execFileSync("git", ["hash-object", "--stdin"], { input: pointer, encoding: "utf8" }).trim();
    expect(lfsPointer(sha, 1234)).toEqual({ oid: git, pointerSize: Buffer.byteLength(pointer) });
  });

  it("main is the newest published version that isn't deprecated; versions, v-prefixed versions and commit ids name one", () => {
    const rows = [row("r1", "1.0.0", { published: 1 }), row("r2", "1.1.0", { published: 5, deprecated: true }), row("r3", "1.2.0-rc.1", { published: 3 }), row("r4", "2.0.0", { status: "DRAFT" })];
    expect(pickRevision(rows, "main")?.id).toBe("r3");
    expect(pickRevision(rows, "1.1.0")?.id).toBe("r2");
    expect(pickRevision(rows, "v1.0.0")?.id).toBe("r1");
    expect(pickRevision(rows, commitOf("r4"))?.id).toBe("r4");
    expect(pickRevision(rows, "9.9.9")).toBeNull();
    expect(pickRevision(rows, "refs/pr/1")).toBeNull();
    expect(pickRevision(rows, "f".repeat(40))).toBeNull();
    // Everything deprecated: still the newest published; nothing published: the newest the caller sees.
    expect(pickRevision([row("a", "1.0.0", { deprecated: true, published: 1 }), row("b", "1.1.0", { deprecated: true, published: 2 })], "main")?.id).toBe("b");
    expect(pickRevision([row("d", "0.1.0", { status: "DRAFT" })], "main")?.id).toBe("d");
  });

  it("gives each release its own fixed 40-hex commit id", () => {
    expect(commitOf("r1")).toMatch(/^[0-9a-f]{40}$/);
    expect(commitOf("r1")).toBe(commitOf("r1"));
    expect(commitOf("r1")).not.toBe(commitOf("r2"));
  });
});
