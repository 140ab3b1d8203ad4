import path from "node:path";
import { defineConfig } from "prisma/config";
import { migrationAdapter } from "./prisma/migration-adapter";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => migrationAdapter(process.env.DATABASE_URL),
});
