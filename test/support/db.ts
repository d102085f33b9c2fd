import { openDatabase } from "../../src/index/database.ts";

/** Reads rows straight from an index file (only while no service holds it). */
export async function queryRows(database: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await openDatabase(database, { create: false, readOnly: true });
  try {
    const reader = await db.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
