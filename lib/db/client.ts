// One connection pool per process, shared by Prisma (through the pg driver adapter) and by the raw SQL that
// Prisma is the wrong tool for (bulk metric ingest, downsampling, SKIP LOCKED).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client";
import { env } from "../env";

type Handles = { prisma: PrismaClient; pool: pg.Pool };
const globalForDb = globalThis as unknown as { hounsfieldDb?: Handles };

function handles(): Handles {
  if (globalForDb.hounsfieldDb) return globalForDb.hounsfieldDb;
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start Hounsfield with `npm start`, which provides a database");
  // Prisma's DateTime columns are timestamps without zone holding UTC; raw SQL that says now() must agree.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: "-c TimeZone=UTC" });
  // An idle connection dropped by the server (restart, failover) must not take the process down.
  pool.on("error", (err) => console.error("database connection lost:", err.message));
  globalForDb.hounsfieldDb = { pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) };
  return globalForDb.hounsfieldDb;
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_t, prop) {
    const prisma = handles().prisma;
    const value = Reflect.get(prisma, prop);
    return typeof value === "function" ? value.bind(prisma) : value;
  },
});

export const pool = () => handles().pool;

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

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
