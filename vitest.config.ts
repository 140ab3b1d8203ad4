import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "test/support/server-only-stub.ts") };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" } },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          setupFiles: ["test/integration/per-file-database.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Two cores: one file at a time keeps scrypt and Postgres from starving each other.
          fileParallelism: false,
        },
      },
      {
        // A real server, real agent processes and the real trainer, under crashes and outages (npm run test:faults).
        resolve: { alias },
        test: { name: "faults", include: ["test/faults/**/*.test.ts"], environment: "node", testTimeout: 240_000, hookTimeout: 300_000, fileParallelism: false },
      },
    ],
  },
});
