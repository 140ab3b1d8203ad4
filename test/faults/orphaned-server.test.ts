// A server whose parent died (its stdout and stderr pipes have no reader) goes on serving without burning a core:
// it used to re-report each EPIPE to the same dead pipe, at 100 % CPU, for as long as it lived.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type StartedServer } from "../support/start-server";

let server: StartedServer;
beforeAll(async () => {
  server = await startServer({}, { withAdmin: false });
}, 300_000);
afterAll(async () => {
  await server?.stop();
});

const cpuTicks = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ").slice(11, 13).reduce((n, v) => n + Number(v), 0);

it("keeps serving, idle, after its log pipes close", async () => {
  server.process.stdout!.destroy();
  server.process.stderr!.destroy();
  await new Promise((r) => setTimeout(r, 2000));
  const before = cpuTicks(server.process.pid!);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 5000));
  const busy = (cpuTicks(server.process.pid!) - before) / 100 / ((Date.now() - t0) / 1000);
  expect(busy).toBeLessThan(0.5); // a spin is 1.0; an idle server is ~0.01
  expect((await fetch(`${server.baseUrl}/api/v1/health`)).status).toBe(200);
}, 60_000);
