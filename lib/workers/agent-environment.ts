// The environment of the local agent `npm start` runs (and so of every trainer it starts): an allowlist of what a
// worker needs (where programs and libraries are, locale, thread counts, GPU masks, the trainer's Python and
// cache), never the server's own settings: no session secret, database address, OIDC client secret or token.
const ALLOWED = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "TERM",
  "LD_LIBRARY_PATH", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR",
  "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
  "HOUNSFIELD_PYTHON", "HOUNSFIELD_CACHE_DIR", "HOUNSFIELD_DIST_TIMEOUT_MINUTES",
]);
const ALLOWED_PREFIX = /^LC_[A-Z]+$/;
// Even an allowed name is dropped when its value carries credentials (a URL with a user and password).
const CREDENTIALS_IN_VALUE = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** `source`: the server's environment; `token`: the local worker's own token, the one secret the agent gets. */
export function localAgentEnvironment(source: Record<string, string | undefined>, token: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || !(ALLOWED.has(name) || ALLOWED_PREFIX.test(name)) || CREDENTIALS_IN_VALUE.test(value)) continue;
    env[name] = value;
  }
  return { ...env, HOUNSFIELD_AGENT_TOKEN: token };
}
