// One way to run a statement, whichever handle a service holds: a Prisma transaction (most services) or a pooled
// pg connection (the metric store's COPY path). Helpers shared by both take an `Executor` and write plain SQL once.
import "server-only";
import type pg from "pg";
import type { Tx } from "./client";

export type Executor = Tx | pg.PoolClient;

const isTx = (on: Executor): on is Tx => typeof (on as Tx).$queryRawUnsafe === "function";

export async function sqlRows<T = Record<string, unknown>>(on: Executor, text: string, values: unknown[] = []): Promise<T[]> {
  return isTx(on) ? on.$queryRawUnsafe<T[]>(text, ...values) : ((await on.query(text, values)).rows as T[]);
}

export async function sqlExec(on: Executor, text: string, values: unknown[] = []): Promise<void> {
  if (isTx(on)) await on.$executeRawUnsafe(text, ...values);
  else await on.query(text, values);
}
