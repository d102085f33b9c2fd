import type { DuckDBConnection } from "@duckdb/node-api";
import type { IndexedFileState } from "../index/index-writer.ts";

/**
 * Random rows of the index, read directly (no service holds the database).
 * The same shape as the writer's fileStates, built as one JSON text.
 */
export async function sampleFileRows(connection: DuckDBConnection, n: number): Promise<IndexedFileState[]> {
  const reader = await connection.runAndReadAll(
    `SELECT coalesce(to_json(list({path: f.path, size: f.size::DOUBLE, mtime: f.mtime, checksum: f.checksum, status: f.status,
      error: f.error, idSeed: f.id_seed, contentChecksum: p.checksum}))::VARCHAR, '[]')
     FROM (SELECT * FROM files ORDER BY random() LIMIT ${Math.trunc(n)}) f LEFT JOIN pages p ON p.path = f.path`,
  );
  return JSON.parse(String(reader.getRows()[0]?.[0] ?? "[]")) as IndexedFileState[];
}

/** Random full-text postings, and how many point at no block (the writer removes both in one transaction). */
export async function samplePostings(connection: DuckDBConnection, n: number): Promise<{ checked: number; orphans: number }> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*), count(*) FILTER (WHERE b.key IS NULL)
     FROM (SELECT block_key FROM fts_postings ORDER BY random() LIMIT ${Math.trunc(n)}) s LEFT JOIN blocks b ON b.key = s.block_key`,
  );
  const [checked = 0, orphans = 0] = (reader.getRows()[0] ?? []).map(Number);
  return { checked, orphans };
}
