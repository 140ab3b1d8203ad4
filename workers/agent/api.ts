// The agent's only way to the server: JSON over HTTP with its worker token. Answers are validated with the same
// schemas the server answers with. Network failures and 5xx are retried with backoff until `deadline`; a 4xx is
// the server's decision and is returned to the caller as an ApiError.
import type { z } from "zod";

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly problem: { title?: string; detail?: string; errors?: { field: string; message: string }[] }) {
    super(`${status} ${problem.title ?? ""}${problem.detail ? `: ${problem.detail}` : ""}`);
  }
}

export type Api = ReturnType<typeof createApi>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createApi(server: string, token: string, log: (line: string) => void) {
  const base = `${server.replace(/\/+$/, "")}/api/v1`;
  /** Whether the last call reached the server (false while it is unreachable). */
  let online = true;

  async function once(method: string, path: string, body?: unknown, contentType = "application/json") {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": contentType }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page): a 4xx is still the server side's decision, a 2xx is a broken answer.
      if (res.status < 300) throw new ApiError(res.status, { title: "Unexpected answer", detail: text.slice(0, 200) });
      json = { title: `HTTP ${res.status}`, detail: text.slice(0, 200) };
    }
    return { status: res.status, json };
  }

  /** Calls until answered (or `retryForMs` passes): transient failures never surface to the caller. */
  async function call<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown, opts: { retryForMs?: number; contentType?: string } = {}): Promise<z.output<T>> {
    const until = Date.now() + (opts.retryForMs ?? Infinity);
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      try {
        const { status, json } = await once(method, path, body, opts.contentType);
        if (status < 500 && status !== 429 && status !== 408) {
          if (!online) log("server reachable again");
          online = true;
          if (status >= 400) throw new ApiError(status, (json ?? {}) as ApiError["problem"]);
          const parsed = schema.safeParse(json);
          // An answer of the wrong shape is not an outage: retrying it would loop forever.
          if (!parsed.success) throw new ApiError(status, { title: "Unexpected answer", detail: parsed.error.message.slice(0, 300) });
          return parsed.data;
        }
        failure = `HTTP ${status}`;
      } catch (e) {
        if (e instanceof ApiError) throw e;
        failure = (e as Error).message;
      }
      if (online) log(`server unreachable (${failure}); retrying`);
      online = false;
      if (Date.now() > until) throw new Error(`${method} ${path}: ${failure}`);
      await sleep(Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2));
    }
  }

  return { call, isOnline: () => online };
}
