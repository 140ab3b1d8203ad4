// What a trainer (or a Slurm job) gets of the agent's environment: everything it may need to run (paths, CUDA,
// NCCL, Slurm, locale) but never the agent's own token, nor any variable that looks like a secret. A run executes
// the run owner's config and code on this machine; it never needs to reach the server as this worker.
const SECRET_NAME = /TOKEN|SECRET|PASS|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|COOKIE|SESSION|DATABASE_URL|DSN$/i;
/** A URL with a user and password in it (a proxy or a database address) carries its secret in the value. */
const CREDENTIALS_IN_VALUE = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

export function childEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name === "HOUNSFIELD_AGENT_TOKEN" || SECRET_NAME.test(name) || CREDENTIALS_IN_VALUE.test(value)) continue;
    kept[name] = value;
  }
  return kept as NodeJS.ProcessEnv;
}
