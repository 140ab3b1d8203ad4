// Malformed requests derived from every endpoint's contract, sent to the running server with an all-powerful token
// and real ids, so they get past authentication and reach parsing, services and the database. None may answer
// 5xx, leak a stack trace or SQL, or stall the event loop: a health probe runs alongside the whole time.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { expect, test } from "@playwright/test";
import type { Contract } from "../../lib/api/contract";
import { contracts } from "../../lib/api/contracts";
import { hostileString, inputs, queryString } from "./support/hostile";

const RUNS_PER_ENDPOINT = Number(process.env.BAD_INPUT_RUNS ?? 40);
const LEAK = /\bat [\w.<>]+ \(|node_modules|prisma|SELECT |INSERT |UPDATE |syntax error|invalid byte sequence|violates|Traceback|TypeError|ReferenceError/i;

/** Percent-encodes anything, lone surrogates included (as the bytes a careless client would send). */
const encodePath = (s: string) => [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

/** Polls /api/v1/health while `fn` runs and returns the slowest answer. */
async function withHealthProbe<T>(base: string, fn: () => Promise<T>): Promise<{ result: T; worstMs: number }> {
  let worst = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = performance.now();
      await fetch(`${base}/api/v1/health`).then((r) => r.arrayBuffer()).catch(() => undefined);
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    return { result: await fn(), worstMs: worst };
  } finally {
    running = false;
    await probe;
  }
}

function check(label: string, status: number, type: string, text: string, problems: string[]) {
  if (status >= 500) problems.push(`${label}: ${status} ${text.slice(0, 300)}`);
  if (status >= 400 && status !== 404 && !type.includes("application/problem+json") && !/^4(05|11|13|21|31)$/.test(String(status))) problems.push(`${label}: ${status} without problem+json (${type})`);
  if (status >= 400 && LEAK.test(text)) problems.push(`${label}: ${status} leaks internals: ${text.slice(0, 300)}`);
}

test("generated malformed requests to every endpoint: never a 5xx, never internals, never a stalled server", async ({ request }) => {
  test.setTimeout(600_000);
  const base = process.env.E2E_BASE_URL!;
  const auth = { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` };
  const run = await (await request.post("/api/v1/runs", { headers: auth, data: { name: "bad input target", preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] } })).json();
  // Worker endpoints take an agent's token (scope worker only) and a worker it registered (a Slurm one, so its
  // claims never take the local runs other journeys queue).
  const agentToken = (await (await request.post("/api/v1/tokens", { headers: auth, data: { name: "bad input agent", scopes: ["worker"] } })).json()).secret as string;
  const agent = { authorization: `Bearer ${agentToken}` };
  const worker = await (await request.post("/api/v1/workers", { headers: agent, data: { name: "bad input worker", executor: "SLURM", instanceId: "bad-input-agent" } })).json();
  const ids = [run.id as string, worker.id as string, "doesnotexist0000", "x".repeat(64)];
  const problems: string[] = [];
  let sent = 0;
  const { worstMs } = await withHealthProbe(base, async () => {
    for (const [name, c] of Object.entries(contracts) as [string, Contract][]) {
      // Signing the admin's sessions out is valid input for this endpoint, and harmless to a token; skip nothing.
      const arb = fc.record({
        id: fc.oneof(fc.constantFrom(...ids), hostileString),
        query: inputs(c.query),
        body: inputs(c.body ?? c.rawBody?.schema),
        raw: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(arb, async ({ id, query, body, raw }) => {
          const url = `${base}/api/v1${c.path.replace("{id}", encodePath(id))}${queryString(query)}`;
          const init: RequestInit = { method: c.method, headers: { ...(c.permission === "worker:connect" ? agent : auth) } };
          if (c.method !== "GET" && body !== undefined) {
            const text = JSON.stringify(body);
            init.body = raw ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text;
            (init.headers as Record<string, string>)["content-type"] = "application/json";
          }
          const res = await fetch(url, init);
          sent++;
          check(`${name} ${c.method} ${url.slice(base.length, base.length + 160)} body=${String(init.body ?? "").slice(0, 120)}`, res.status, res.headers.get("content-type") ?? "", await res.text(), problems);
          return true;
        }),
        { numRuns: RUNS_PER_ENDPOINT, verbose: 0 },
      );
    }
  });
  expect(problems).toEqual([]);
  expect(sent).toBeGreaterThan(Object.keys(contracts).length * RUNS_PER_ENDPOINT * 0.9);
  // 4 s used to be spent on one 32 KB gzip body; ordinary answers here take milliseconds.
  expect(worstMs).toBeLessThan(1_000);
});

test("bodies built to be expensive don't stall anyone: gzip bombs, separator floods, NUL bytes", async ({ request }) => {
  test.setTimeout(120_000);
  const base = process.env.E2E_BASE_URL!;
  const auth = { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` };
  const run = await (await request.post("/api/v1/runs", { headers: auth, data: { name: "bombs", preset: "tiny", datasetMix: [{ dataset: "sample-ct", weight: 1 }] } })).json();
  const ingest = `${base}/api/v1/runs/${run.id}/metrics`;
  const cases: [string, RequestInit][] = [
    ["16 M lines of 1, gzip NDJSON", { body: gzipSync("1\n".repeat(16_000_000)), headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" } }],
    ["4 MB of {}, gzip JSON", { body: gzipSync(`{"points":[${"{},".repeat(1_300_000)}{}]}`), headers: { "content-type": "application/json", "content-encoding": "gzip" } }],
    ["8 MB of [, gzip JSON", { body: gzipSync("[".repeat(8_000_000)), headers: { "content-type": "application/json", "content-encoding": "gzip" } }],
    ["NUL key", { body: JSON.stringify({ points: [{ key: "a\u0000b", step: 1, value: 1 }] }), headers: { "content-type": "application/json" } }],
    ["not gzip", { body: "plain", headers: { "content-type": "application/json", "content-encoding": "gzip" } }],
  ];
  const problems: string[] = [];
  for (const [label, init] of cases) {
    for (const who of [auth, { authorization: "Bearer hfk_not-a-token" }]) {
      const { result, worstMs } = await withHealthProbe(base, async () => {
        // Three at once: a single slow request is not the only way to stall a server.
        const answers = await Promise.all([0, 1, 2].map(() => fetch(ingest, { ...init, method: "POST", headers: { ...(init.headers as Record<string, string>), ...who } })));
        return Promise.all(answers.map(async (r) => ({ status: r.status, type: r.headers.get("content-type") ?? "", text: await r.text() })));
      });
      for (const r of result) check(label, r.status, r.type, r.text, problems);
      expect(result.every((r) => r.status >= 400 && r.status < 500), `${label}: ${result.map((r) => r.status)}`).toBe(true);
      expect(worstMs, `${label}: health waited ${worstMs.toFixed(0)} ms`).toBeLessThan(1_000);
    }
  }
  expect(problems).toEqual([]);
});
