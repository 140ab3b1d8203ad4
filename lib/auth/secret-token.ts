// API tokens and one-time links: 256 random bits, shown once, stored as SHA-256 (no slow hash is needed
// for a secret that cannot be guessed, and lookups by hash stay one index probe).
import "server-only";
import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "hfk_";

export function newSecret(prefix = TOKEN_PREFIX) {
  return prefix + randomBytes(32).toString("base64url");
}

export function hashSecret(secret: string) {
  return createHash("sha256").update(secret).digest("hex");
}

export function displayPrefix(secret: string) {
  return secret.slice(0, TOKEN_PREFIX.length + 6);
}
