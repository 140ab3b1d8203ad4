// Runs never see the server's secrets: the local agent's environment is an allowlist, and the agent hands its
// trainers (and Slurm jobs) its own environment less its token and anything secret-looking.
import { describe, expect, it } from "vitest";
import { localAgentEnvironment } from "../../lib/workers/agent-environment";
import { childEnvironment } from "../../workers/agent/child-env";

const SERVER_ENV = {
  PATH: "/usr/local/bin:/usr/bin",
  HOME: "/home/hounsfield",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  OMP_NUM_THREADS: "1",
  HOUNSFIELD_PYTHON: "/usr/bin/python3",
  HOUNSFIELD_CACHE_DIR: "/var/cache/hounsfield",
  NEXTAUTH_SECRET: "session-secret-0123456789",
  NEXTAUTH_URL: "https://hounsfield.example.org",
  DATABASE_URL: "postgresql://hounsfield:db-password@db:5432/hounsfield",
  OIDC_CLIENT_SECRET: "oidc-client-secret",
  OIDC_CLIENT_ID: "hounsfield",
  HOUNSFIELD_TOKEN: "hfk_admin_token",
  SMTP_PASS: "smtp-password",
  AWS_SECRET_ACCESS_KEY: "aws-secret",
  HOUNSFIELD_DATA_DIR: "/srv/hounsfield",
  NODE_OPTIONS: "--require /srv/hooks.js",
  TMPDIR: "http://user:pass@proxy:3128",
};

describe("the local agent's environment", () => {
  it("keeps what a worker needs and the worker's own token; no server setting, secret or token", () => {
    expect(localAgentEnvironment(SERVER_ENV, "hfk_worker_token")).toEqual({
      PATH: "/usr/local/bin:/usr/bin",
      HOME: "/home/hounsfield",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      OMP_NUM_THREADS: "1",
      HOUNSFIELD_PYTHON: "/usr/bin/python3",
      HOUNSFIELD_CACHE_DIR: "/var/cache/hounsfield",
      HOUNSFIELD_AGENT_TOKEN: "hfk_worker_token",
    });
  });
});

describe("a trainer's environment", () => {
  it("is the agent's, less its token, secret-looking names and values that carry credentials", () => {
    const agentEnv = { ...SERVER_ENV, HOUNSFIELD_AGENT_TOKEN: "hfk_worker_token", CUDA_VISIBLE_DEVICES: "0,1", NCCL_DEBUG: "INFO", SLURM_CONF: "/etc/slurm/slurm.conf", HF_TOKEN: "hf_x", PGPASSWORD: "pg", http_proxy: "http://proxy:3128" };
    const env = childEnvironment(agentEnv);
    expect(Object.keys(env).sort()).toEqual(
      ["CUDA_VISIBLE_DEVICES", "HOME", "HOUNSFIELD_CACHE_DIR", "HOUNSFIELD_DATA_DIR", "HOUNSFIELD_PYTHON", "LANG", "LC_ALL", "NCCL_DEBUG", "NODE_OPTIONS", "OIDC_CLIENT_ID", "OMP_NUM_THREADS", "PATH", "SLURM_CONF", "http_proxy"].sort(),
    );
    const values = Object.values(env).join("\n");
    for (const secret of ["hfk_worker_token", "session-secret", "db-password", "oidc-client-secret", "hfk_admin_token", "smtp-password", "aws-secret", "user:pass", "hf_x"]) expect(values).not.toContain(secret);
  });
});
