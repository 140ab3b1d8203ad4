// The only reader of process.env: every setting is validated here, once.
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  HOUNSFIELD_DATA_DIR: z.string().default(".hounsfield"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOSTNAME: z.string().optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("Institutional login"),
  OIDC_DEFAULT_ROLE: z.enum(["RESEARCHER", "CLINICIAN"]).default("CLINICIAN"),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_ADDRESS: z.coerce.number().int().min(1).default(50),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(30),
  REGISTER_MAX_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(10),
  ALLOWED_HOSTS: z.string().default(""),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  TRUST_PROXY: bool.default(false),
  RUN_STALE_MINUTES: z.coerce.number().min(0.05).default(15),
  LEASE_SWEEP_SECONDS: z.coerce.number().min(0.2).max(3600).default(15),
  /** A claimed run's lease lasts this long unless the agent's heartbeat renews it (every HEARTBEAT_SECONDS). */
  LEASE_TTL_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  HEARTBEAT_SECONDS: z.coerce.number().min(0.2).max(600).default(10),
  /** The largest checkpoint an agent may upload (bytes). */
  CHECKPOINT_MAX_BYTES: z.coerce.number().int().min(1).default(512 * 2 ** 30),
  /** `npm start` also runs one local CPU agent unless this is false. */
  LOCAL_AGENT: bool.default(true),
  HOUNSFIELD_PYTHON: z.string().default("/usr/bin/python3"),
  /** Server folders researchers may register dataset files from (absolute paths, separated by ":"). Empty: none. */
  DATASET_ROOTS: z.string().default(""),
  /** x-accel: release files are sent by nginx in front of the app (X-Accel-Redirect) once the app has authorized and
   * recorded the download; nginx maps DOWNLOAD_OFFLOAD_PREFIX to the blob folder as an internal location. */
  DOWNLOAD_OFFLOAD: z.enum(["none", "x-accel"]).default("none"),
  DOWNLOAD_OFFLOAD_PREFIX: z.string().regex(/^\/[\w/-]*\/$/, "a path like /_blobs/").default("/_hounsfield_blobs/"),
  /** index: visitors who are not signed in see the published OPEN and GATED releases (index and pages: card,
   * files, contract), never PRIVATE ones or drafts, and download nothing. none: sign in to see any. */
  PUBLIC_RELEASES: z.enum(["none", "index"]).default("none"),
  /** Releases answer Hugging Face Hub clients as `<HUB_NAMESPACE>/<release name>` (HF_ENDPOINT=<this server>). */
  HUB_NAMESPACE: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/, "letters, digits, '_', '.', '-'").default("hounsfield"),
  /** The largest dataset file one may upload (bytes). */
  DATASET_FILE_MAX_BYTES: z.coerce.number().int().min(1).default(16 * 2 ** 30),
  /** The most files one registration or upload batch may hold. */
  INGEST_MAX_FILES: z.coerce.number().int().min(1).default(200_000),
  /** A server holds its ingestion job this long between renewals; another server takes a job up once it lapses. */
  INGEST_LOCK_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /** How long indexing one volume may take before it is reported as timed out (seconds). */
  INGEST_FILE_TIMEOUT_SECONDS: z.coerce.number().min(1).default(600),
  /** Resident memory the process that decodes one file (or series) may use, in MiB; over it, that file fails. */
  DECODE_MEMORY_MB: z.coerce.number().int().min(128).max(1 << 20).default(1024),
  /** Outgoing mail (address confirmation, sign-in links, notification mails). Unset SMTP_HOST: no mail at all. */
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** tls: TLS from the first byte (usually port 465); starttls: plain, then upgraded, refused if the server can't
   * (587); none: never encrypted (a relay on the same machine or network). */
  SMTP_SECURE: z.enum(["tls", "starttls", "none"]).default("starttls"),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  /** The sender, e.g. `Hounsfield <hounsfield@example.org>`. */
  SMTP_FROM: z.string().max(300).optional(),
  /** Emailed sign-in links per address, and per client address, per hour. */
  EMAIL_LINKS_MAX_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  EMAIL_LINKS_MAX_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  CI: bool.optional(),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  // An empty variable (`DATABASE_URL=`) means "not set", as in most shells' habits.
  const given = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ""));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** Lets the CLI apply settings it derived (database URL, secret) before anything reads them. */
export function setEnv(values: Partial<Record<keyof Env, string>>) {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) process.env[k] = v;
  cached = undefined;
}

export function dataDir() {
  return path.resolve(env().HOUNSFIELD_DATA_DIR);
}

export function publicUrl() {
  const e = env();
  return (e.NEXTAUTH_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
}

export type SmtpConfig = { host: string; port: number; secure: "tls" | "starttls" | "none"; user?: string; password?: string; from: string };

/** The SMTP server mail goes through, or null when none is configured (then nothing is ever queued). */
export function smtpConfig(): SmtpConfig | null {
  const e = env();
  if (!e.SMTP_HOST) return null;
  const port = e.SMTP_PORT ?? (e.SMTP_SECURE === "tls" ? 465 : 587);
  const from = e.SMTP_FROM ?? `Hounsfield <hounsfield@${new URL(publicUrl()).hostname}>`;
  return { host: e.SMTP_HOST, port, secure: e.SMTP_SECURE, user: e.SMTP_USER, password: e.SMTP_PASSWORD, from };
}

export function oidcConfig() {
  const e = env();
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return null;
  return { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, name: e.OIDC_NAME, defaultRole: e.OIDC_DEFAULT_ROLE };
}
