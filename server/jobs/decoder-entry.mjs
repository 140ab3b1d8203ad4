// Entry of the decoding process (server/jobs/decoder-pool.ts starts it with node's own heap limit): the same module
// hooks as the CLI, then the TypeScript child.
import "../../cli/hooks/register.mjs";
import { register } from "tsx/esm/api";

register();
await import("./decoder-child.ts");
