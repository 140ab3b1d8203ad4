// What the database said, as an HTTP answer: its SQLSTATE decides, its text never leaves the server.
// Errors come raw from pg or wrapped by Prisma's driver adapter; both carry the code somewhere.
import { DomainError } from "../errors";

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Prisma's own codes (P2010) look like SQLSTATEs; a code counts only on pg's error (it has a severity) or as
 * the adapter's originalCode. */
export function sqlState(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift() as Record<string, unknown> | undefined;
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const code = typeof e.originalCode === "string" ? e.originalCode : "severity" in e || e.kind === "postgres" ? e.code : undefined;
    if (typeof code === "string" && SQLSTATE.test(code)) return code;
    queue.push(e.cause, (e.meta as Record<string, unknown> | undefined)?.driverAdapterError);
  }
  return undefined;
}

const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);

/** A typed error for database failures the caller can do something about; undefined for real bugs. */
export function databaseProblem(err: unknown): DomainError | undefined {
  const state = sqlState(err);
  const unavailable = () => new DomainError("The database is unavailable right now; try again shortly", 503, "Service unavailable", undefined, { "Retry-After": "5" });
  if (!state) {
    const code = (err as { code?: unknown })?.code;
    if (typeof code === "string" && NETWORK.has(code)) return unavailable();
    if (err instanceof Error && /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(err.message)) return unavailable();
    return undefined;
  }
  if (state.startsWith("22")) return new DomainError("A value in the request is outside what can be stored (too large, out of range or not valid text)", 400, "Invalid request");
  if (state === "23505") return new DomainError("That already exists", 409, "Conflict");
  if (state === "23503") return new DomainError("It refers to something that no longer exists", 409, "Conflict");
  if (state === "40001" || state === "40P01") return new DomainError("Another change got in the way; try again", 503, "Service unavailable", undefined, { "Retry-After": "1" });
  if (state === "57014") return new DomainError("The request took too long and was stopped", 503, "Service unavailable", undefined, { "Retry-After": "5" });
  if (state.startsWith("08") || state.startsWith("57P") || state === "53300") return unavailable();
  return undefined;
}
