// Typed domain errors; the route wrapper maps each to one HTTP status (problem+json), nowhere else.
import type { ZodError } from "zod";

export type FieldError = { field: string; message: string };

export class DomainError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly title: string,
    public readonly errors?: FieldError[],
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError(`${what} was not found`, 404, "Not found");
export const conflict = (message: string, errors?: FieldError[]) => new DomainError(message, 409, "Conflict", errors);
export const invalid = (message: string, errors: FieldError[]) => new DomainError(message, 400, "Invalid request", errors);
export const tooLarge = (limit: number) =>
  new DomainError(`The request body is larger than this endpoint accepts (${limit} bytes)`, 413, "Payload too large", [
    { field: "body", message: `at most ${limit} bytes` },
  ]);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new DomainError(message, 429, "Too many requests", undefined, { "Retry-After": String(retryAfterSeconds) });

/** zod issues as field errors, `prefix` naming where the value came from (query, path, a body field). */
export function zodFieldErrors(err: ZodError, prefix: string): FieldError[] {
  return err.issues.flatMap((i) => {
    const base = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({ field: base ? `${base}.${k}` : k, message: "unknown field" }));
    }
    return [{ field: base || prefix || "body", message: i.message }];
  });
}
