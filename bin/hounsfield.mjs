#!/usr/bin/env node
// Entry point of `npx hounsfield`: loads the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
await main(process.argv.slice(2));
