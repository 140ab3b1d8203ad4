// scrypt is memory-hard and ships with Node, so no native addon has to build on install. Each hash takes 32 MiB
// and a core for ~0.1 s, so hashes wait their turn (at most SCRYPT_PARALLEL at once) and a flood of sign-ins or
// registrations is refused with 503 instead of exhausting memory.
import "server-only";
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { DomainError } from "../errors";

const N = 1 << 15; // 32 MiB per hash with r = 8
const R = 8;
const P = 1;
const KEYLEN = 32;

const SCRYPT_PARALLEL = 2;
const SCRYPT_QUEUE = 64;
// One limit per process: Next's bundle (sign-in) and the API's own modules (registration) both load this file.
const limiter = ((globalThis as { hounsfieldScrypt?: { running: number; waiting: (() => void)[] } }).hounsfieldScrypt ??= { running: 0, waiting: [] });

async function slot() {
  if (limiter.running < SCRYPT_PARALLEL) return void limiter.running++;
  if (limiter.waiting.length >= SCRYPT_QUEUE) throw new DomainError("The server is busy checking passwords; try again in a few seconds", 503, "Service unavailable", undefined, { "Retry-After": "5" });
  await new Promise<void>((resolve) => limiter.waiting.push(resolve));
}

function release() {
  const next = limiter.waiting.shift();
  if (next) next();
  else limiter.running--;
}

async function scrypt(password: string, salt: Buffer, n: number, r: number, p: number) {
  const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r };
  await slot();
  try {
    return await new Promise<Buffer>((resolve, reject) =>
      scryptCb(password.normalize("NFKC"), salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key))),
    );
  } finally {
    release();
  }
}

export async function hashPassword(password: string) {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string | null | undefined) {
  // Hash anyway when there is no stored hash, so a missing account takes as long as a wrong password.
  const parts = (stored ?? `scrypt$${N}$${R}$${P}$${"A".repeat(22)}$${"A".repeat(43)}`).split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, salt, key] = parts;
  // Stored parameters are ours, but a tampered row must not ask for gigabytes.
  if (!(Number(n) <= N && Number(r) <= R && Number(p) <= P)) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await scrypt(password, Buffer.from(salt, "base64url"), Number(n), Number(r), Number(p));
  return stored != null && expected.length === actual.length && timingSafeEqual(expected, actual);
}

