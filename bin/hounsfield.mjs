#!/usr/bin/env node
// Entry point of `npx hounsfield`: loads the TypeScript CLI through tsx.
import "../cli/hooks/register.mjs";
import { register } from "tsx/esm/api";

// A server (or agent) whose log reader went away — its terminal closed, the process that started it died —
// keeps working: writes to the dead pipe are dropped. Unhandled, each EPIPE was re-reported to the same dead
// pipe and the process spun at 100 % CPU.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code !== "EPIPE") throw e;
  });
}

register();
const { main } = await import("../cli/main.ts");
await main(process.argv.slice(2));
