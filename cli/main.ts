import { parseArgs } from "node:util";
import { config as loadDotenv } from "dotenv";
import { HELP } from "./help";
import { UsageError, type Flags } from "./usage";

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  email: { type: "string" },
  name: { type: "string" },
  "password-stdin": { type: "boolean" },
  scopes: { type: "string" },
  expires: { type: "string" },
  update: { type: "boolean" },
} as const;

const COMMANDS: Record<string, () => Promise<{ run: (flags: Flags, rest: string[]) => Promise<void> }>> = {
  start: () => import("./commands/start"),
  jobs: () => import("./commands/jobs"),
  "admin create": () => import("./commands/admin-create"),
  "token create": () => import("./commands/token-create"),
  "token revoke": () => import("./commands/token-revoke"),
  migrate: () => import("./commands/migrate"),
  seed: () => import("./commands/seed"),
};

/** What the agent takes from a .env file: its own settings, never the server's (the file is the server's too). */
const AGENT_SETTINGS = ["HOUNSFIELD_URL", "HOUNSFIELD_AGENT_TOKEN", "HOUNSFIELD_PYTHON", "HOUNSFIELD_CACHE_DIR"];

export async function main(argv: string[]) {
  // The agent is its own program (it talks to a server over HTTP only) with its own options.
  if (argv[0] === "agent") {
    const file: Record<string, string> = {};
    loadDotenv({ quiet: true, processEnv: file });
    for (const name of AGENT_SETTINGS) if (file[name] !== undefined && process.env[name] === undefined) process.env[name] = file[name];
    const { agentMain } = await import("../workers/agent/main");
    return agentMain(argv.slice(1));
  }
  loadDotenv({ quiet: true });
  // So is the release downloader: a client of any server, with a token.
  if (argv[0] === "download") {
    const { downloadMain } = await import("./download");
    return downloadMain(argv.slice(1));
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP.main}`);
    process.exit(2);
  }
  const [first, second, ...rest] = parsed.positionals;
  const key = first && COMMANDS[`${first} ${second}`] ? `${first} ${second}` : first;
  const args = key === first ? [second, ...rest].filter(Boolean) : rest;
  if (!key || !COMMANDS[key]) {
    const helpOnly = !first && parsed.values.help;
    (helpOnly ? console.log : console.error)(first ? `Unknown command: ${parsed.positionals.join(" ")}\n\n${HELP.main}` : HELP.main);
    process.exit(helpOnly ? 0 : 2);
  }
  if (parsed.values.help) {
    console.log(HELP[key] ?? HELP.main);
    return;
  }
  try {
    const cmd = await COMMANDS[key]();
    await cmd.run(parsed.values, args as string[]);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${HELP[key]}`);
      process.exit(2);
    }
    console.error(`hounsfield ${key}: ${(e as Error).message}`);
    process.exit(1);
  }
}
