// One connection pool per process, shared by Prisma (through the pg driver adapter) and by the raw SQL that
// Prisma is the wrong tool for (bulk metric ingest, downsampling, SKIP LOCKED).
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client";
import { env } from "../env";

/** Secrets' hashes never leave a query unless it asks for them (`omit: { passwordHash: false }`). */
const OMIT = { user: { passwordHash: true }, apiToken: { hash: true }, setupToken: { hash: true } } as const;
/** No statement runs longer than this: a request's work is bounded even when a query plan isn't. */
const STATEMENT_TIMEOUT_MS = 60_000;

function createClient(pool: pg.Pool) {
  return new PrismaClient({ adapter: new PrismaPg(pool), omit: OMIT });
}

type Db = ReturnType<typeof createClient>;
type Handles = { prisma: Db; pool: pg.Pool };
const globalForDb = globalThis as unknown as { hounsfieldDb?: Handles };

function handles(): Handles {
  if (globalForDb.hounsfieldDb) return globalForDb.hounsfieldDb;
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start Hounsfield with `npm start`, which provides a database");
  // Prisma's DateTime columns are timestamps without zone holding UTC; raw SQL that says now() must agree.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c TimeZone=UTC -c statement_timeout=${STATEMENT_TIMEOUT_MS}` });
  // An idle connection dropped by the server (restart, failover) must not take the process down.
  pool.on("error", (err) => console.error("database connection lost:", err.message));
  globalForDb.hounsfieldDb = { pool, prisma: createClient(pool) };
  return globalForDb.hounsfieldDb;
}

export const db: Db = new Proxy({} as Db, {
  get(_t, prop) {
    const prisma = handles().prisma;
    const value = Reflect.get(prisma, prop);
    return typeof value === "function" ? value.bind(prisma) : value;
  },
});

export const pool = () => handles().pool;

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Runs `fn` in one raw-SQL transaction on a pooled connection. */
export async function sqlTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

export async function disconnectDb() {
  const h = globalForDb.hounsfieldDb;
  globalForDb.hounsfieldDb = undefined;
  if (!h) return;
  await h.prisma.$disconnect().catch(() => undefined);
  await h.pool.end().catch(() => undefined);
}
