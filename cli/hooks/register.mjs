// `node --import ./cli/hooks/register.mjs` (or `tsx --import …`): installs the resolve hooks the CLI needs.
import { register } from "node:module";

register("./server-only.mjs", import.meta.url);
