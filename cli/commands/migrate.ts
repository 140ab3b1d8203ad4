import { withDatabase } from "../../server/database";

export async function run() {
  await withDatabase(async () => console.log("database is up to date"), console.log);
}
