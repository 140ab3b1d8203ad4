import type { z } from "zod";
import type { Action } from "../auth/policy";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** What a /api/v1 endpoint accepts and returns: read by the route wrapper, the OpenAPI document and the
 * authorization matrix test alike, so the three cannot drift apart. */
export type Contract = {
  method: Method;
  /** OpenAPI-style path below /api/v1, e.g. `/tokens/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** `public`: anyone; `user`: a signed-in user or an API token, then `permission` decides; `optional`: like
   * `user` when credentials are sent (a bad token is a 401), anonymous without them (the service decides). */
  auth: "public" | "user" | "optional";
  permission?: Action;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  /** A body the handler reads itself (e.g. NDJSON or gzip): documented here, parsed in the handler. */
  rawBody?: { contentTypes: string[]; schema: z.ZodType };
  /** Largest accepted body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** Responses that aren't JSON (e.g. the OpenAPI document itself is JSON but has no schema). */
  contentType?: string;
};

export const defineContract = <const C extends Contract>(c: C) => c;
