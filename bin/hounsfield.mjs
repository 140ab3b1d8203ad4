#!/usr/bin/env node
// Entry point of `npx hounsfield`: loads the TypeScript CLI through tsx.
import "../cli/hooks/register.mjs";
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
await main(process.argv.slice(2));
