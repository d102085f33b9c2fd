import { queryRows } from "../support/db.ts";

/**
 * Every index table as rows comparable across two databases built the same
 * way by different routes (service vs. `run --once`): without the columns
 * that depend on timing (`indexed_at`) or on insertion order (block keys).
 */
export async function indexTables(database: string): Promise<Record<string, Record<string, unknown>[]>> {
  const queries: Record<string, string> = {
    files: "SELECT path, size, mtime, checksum, status, error FROM files ORDER BY path",
    pages: "SELECT name, original_name, path, journal_day, format, block_count FROM pages ORDER BY path, name",
    blocks: "SELECT path, id, page, parent_id, position, level, content, marker FROM blocks ORDER BY path, position, level, id",
    refs: "SELECT path, block_id, page, target, kind FROM refs ORDER BY path, block_id, target, kind",
    terms: "SELECT DISTINCT t.term FROM fts_terms t JOIN fts_postings p USING (term_hash) ORDER BY t.term",
  };
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const [name, sql] of Object.entries(queries)) tables[name] = await queryRows(database, sql);
  return tables;
}
