// One Prisma client per process, on the pg driver adapter.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { env } from "../env";

const globalForDb = globalThis as unknown as { hounsfieldDb?: PrismaClient };

function create() {
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start Hounsfield with `npm start`, which provides a database");
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_t, prop) {
    globalForDb.hounsfieldDb ??= create();
    const value = Reflect.get(globalForDb.hounsfieldDb, prop);
    return typeof value === "function" ? value.bind(globalForDb.hounsfieldDb) : value;
  },
});

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export async function disconnectDb() {
  await globalForDb.hounsfieldDb?.$disconnect();
  globalForDb.hounsfieldDb = undefined;
}
