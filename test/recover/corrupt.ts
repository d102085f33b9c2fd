import { openDatabase } from "../../src/index/database.ts";

/** Runs SQL on a real index file to damage it on purpose (only while no service holds it). */
export async function corrupt(database: string, statements: string[]): Promise<void> {
  const db = await openDatabase(database, { create: false });
  try {
    for (const sql of statements) await db.connection.run(sql);
  } finally {
    db.close();
  }
}
