import "server-only";
import { db } from "./client";

export async function databaseReachable() {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
