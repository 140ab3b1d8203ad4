// The database every command uses: DATABASE_URL when set, else the embedded cluster in the data folder.
import { startEmbeddedPostgres, type EmbeddedDb } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { dataDir, env, setEnv } from "../lib/env";

/** `onFatal`: the embedded cluster died and could not be restarted (long-running commands pass it). */
export async function openDatabase(log: (l: string) => void, onFatal?: (e: Error) => void): Promise<EmbeddedDb> {
  const url = env().DATABASE_URL;
  const database = url
    ? { url, port: Number(new URL(url).port || 5432), startedHere: false, stop: async () => {} }
    : await startEmbeddedPostgres(`${dataDir()}`, { log, onFatal });
  setEnv({ DATABASE_URL: database.url });
  const applied = await migrate(database.url, log);
  if (applied.length) log(`applied ${applied.length} migration(s)`);
  return database;
}

/** Runs a short command against the database, stopping an embedded cluster it had to start. */
export async function withDatabase<T>(fn: () => Promise<T>, log: (l: string) => void = () => {}): Promise<T> {
  const database = await openDatabase(log);
  try {
    return await fn();
  } finally {
    const { disconnectDb } = await import("../lib/db/client");
    await disconnectDb();
    await database.stop();
  }
}
