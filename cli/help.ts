export const HELP: Record<string, string> = {
  main: `Usage: hounsfield <command> [options]

Commands:
  start                     Build if needed, start the database, migrate, seed and serve the dashboard
  jobs                      Run a job process (indexing, previews, exports, sweeps) on the server's database
  admin create              Create (or promote) an administrator
  token create              Create an API token and print it once
  token revoke              Revoke an API token
  migrate                   Apply pending database migrations
  seed                      Load the public CT dataset catalog
  agent                     Attach this machine as a GPU worker (hounsfield agent --help)
  download <name>[@version] Download a release's files, resumable and sha256-checked (hounsfield download --help)

Run 'hounsfield <command> --help' for a command's options.
Settings come from the environment (see the README): DATABASE_URL, HOUNSFIELD_DATA_DIR, PORT, …`,
  start: `Usage: hounsfield start

Serves the dashboard on PORT (default 3000). Without DATABASE_URL it runs an embedded PostgreSQL 17 in
HOUNSFIELD_DATA_DIR (default .hounsfield/) and stops it on exit. Builds the app first when the sources changed.
With no administrator yet, prints a one-time setup link. Also runs the job process (see jobs) and, unless
LOCAL_AGENT=false, a local CPU worker.`,
  jobs: `Usage: hounsfield jobs

Runs a job process: dataset indexing, previews, volume exports, manifests and the periodic sweeps, each file
decoded in a separate process under DECODE_MEMORY_MB and INGEST_FILE_TIMEOUT_SECONDS. hounsfield start runs one;
run more (on this or another machine) against the same DATABASE_URL when one is not enough. Another machine
needs the same HOUNSFIELD_DATA_DIR (the blob folder) and DATASET_ROOTS, mounted at the same paths.`,
  "admin create": `Usage: hounsfield admin create --email <email> [--name <name>] --password-stdin

Creates an administrator, or promotes an existing user and sets their password.
The password is read from standard input (one line), never from the command line.`,
  "token create": `Usage: hounsfield token create --email <owner> --scopes <s1,s2> --name <name> [--expires <days>]

Scopes: read, runs:write, worker, download, tokens, admin (admin only for administrators).
Prints the token once; only its hash is stored.`,
  "token revoke": `Usage: hounsfield token revoke <token id or prefix>`,
  migrate: `Usage: hounsfield migrate

Applies pending migrations from prisma/migrations to the database.`,
  seed: `Usage: hounsfield seed [--update]

Adds the public CT dataset catalog entries that are missing. --update also refreshes existing entries.`,
};
