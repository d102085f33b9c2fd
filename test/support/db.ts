import { openDatabase } from "../../src/index/database.ts";

type Rows = Record<string, unknown>[];

/** Reads rows straight from an index file (only while no service holds it). */
export async function queryRows(database: string, sql: string): Promise<Rows> {
  const [rows] = await queryEach(database, [sql]);
  return rows ?? [];
}

/**
 * Each statement's rows, in order, through one read-only open of the file:
 * an open (with its schema version check) costs about 35 ms, and the index
 * invariants' 24 queries opened it 24 times (0.9 s of CPU per check of a
 * 200-file index).
 */
export async function queryEach(database: string, sqls: readonly string[]): Promise<Rows[]> {
  const db = await openDatabase(database, { create: false, readOnly: true });
  try {
    const results: Rows[] = [];
    for (const sql of sqls) results.push((await db.connection.runAndReadAll(sql)).getRowObjectsJson() as Rows);
    return results;
  } finally {
    db.close();
  }
}
