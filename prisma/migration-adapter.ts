// Driver adapter for the Prisma CLI's JavaScript schema engine (Prisma 6.19, no native engine offline).
// Three work-arounds for @prisma/adapter-pg 6.19 live here; the app itself uses a plain PrismaPg.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

type Conn = { host: string; port: number; user: string; password: string; database: string };

// The schema engine reads pg_catalog columns of type `name` (oid 19) and `"char"` (oid 18), which the
// adapter rejects (prisma/orm#27403); both are plain text to the engine.
const TEXT_OID = 25;
function fixFields(result: unknown) {
  const fields = (result as { fields?: { dataTypeID: number }[] })?.fields;
  for (const f of fields ?? []) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = TEXT_OID;
  return result;
}

function patchClient(client: pg.PoolClient) {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) => (last as (e: unknown, r: unknown) => void)(err, fixFields(res));
      return original(...args);
    }
    const out = original(...args);
    return out instanceof Promise ? out.then(fixFields) : out;
  };
}

function pool(conn: Conn) {
  const p = new pg.Pool({ ...conn, max: 4 });
  p.on("connect", patchClient);
  return p;
}

// Separate fields, not a connection string: with a string the shadow database silently became the main one.
function parse(url: string): Conn {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

export function migrationAdapter(url: string | undefined) {
  if (!url) throw new Error("DATABASE_URL is not set: the Prisma CLI needs a database (npx hounsfield migrate starts the embedded one)");
  const conn = parse(url);
  return {
    provider: "postgres" as const,
    adapterName: "@prisma/adapter-pg",
    connect: () => new PrismaPg(pool(conn)).connect(),
    async connectToShadowDb() {
      const name = `hounsfield_shadow_${randomUUID().replace(/-/g, "")}`;
      const admin = new pg.Client(conn);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const shadowPool = pool({ ...conn, database: name });
      const adapter = await new PrismaPg(shadowPool).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose().catch(() => undefined);
        await shadowPool.end().catch(() => undefined);
        const c = new pg.Client(conn);
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      };
      return adapter;
    },
  };
}
