// One real server for all journeys, with SSO pointed at a local OIDC issuer and mail sent to a real SMTP server
// the tests start, which writes every message to E2E_MAIL_DIR for the tests to read.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";
import { startMailCatcher } from "../support/mail-catcher";
import { startOidcIssuer } from "../support/oidc-issuer";
import { startServer } from "../support/start-server";
import { cli } from "./support/cli";

const DATASET_ROOT = path.resolve(import.meta.dirname, "../fixtures/ct");

export default async function globalSetup() {
  process.env.DATASET_ROOT = DATASET_ROOT;
  const oidcPort = await freePort();
  // The redirect URI names the app's port, which startServer picks: accept any localhost callback.
  const oidc = await startOidcIssuer(oidcPort);
  const mailDir = mkdtempSync(path.join(os.tmpdir(), "hounsfield-e2e-mail-"));
  const mail = await startMailCatcher({ dir: mailDir });
  const server = await startServer(
    {
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: "hounsfield",
      OIDC_CLIENT_SECRET: "test-client-secret",
      OIDC_NAME: "Test SSO",
      // Every journey comes from 127.0.0.1; the per-IP limit is covered by the integration tests.
      LOGIN_MAX_FAILURES_PER_IP: "10000",
      REGISTER_MAX_PER_IP_PER_HOUR: "100000",
      // The real CT fixtures are the one server folder datasets may be registered from.
      DATASET_ROOTS: DATASET_ROOT,
      // The authorization matrix holds a lease with no agent heartbeating it for as long as it runs (minutes on a
      // busy machine); the lease sweep itself is tested by the fault tests on servers of their own.
      LEASE_TTL_SECONDS: "900",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(mail.port),
      SMTP_SECURE: "none",
      SMTP_FROM: "Hounsfield <noreply@example.org>",
      EMAIL_LINKS_MAX_PER_IP_PER_HOUR: "100000",
    },
    { verbose: !!process.env.E2E_VERBOSE },
  );
  oidc.allowRedirect(`${server.baseUrl}/api/auth/callback/oidc`);
  process.env.E2E_BASE_URL = server.baseUrl;
  process.env.E2E_MAIL_DIR = mailDir;
  process.env.HOUNSFIELD_DATA_DIR = server.dataDir;
  process.env.E2E_ADMIN_EMAIL = server.adminEmail;
  process.env.E2E_ADMIN_PASSWORD = server.adminPassword;
  process.env.E2E_ADMIN_TOKEN = (await cli(["token", "create", "--email", server.adminEmail, "--scopes", "admin", "--name", "e2e"])).trim();
  // Tests queue runs on the sample dataset, which the server publishes a few seconds after its admin exists.
  for (let i = 0; i < 120; i++) {
    const r = await fetch(`${server.baseUrl}/api/v1/datasets/sample-ct/versions`, { headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` } });
    if (r.status === 200 && (await r.json()).versions?.length) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  return async () => {
    await server.stop();
    await oidc.stop();
    await mail.stop();
    rmSync(mailDir, { recursive: true, force: true });
  };
}
