import type { DuckDBConnection } from "@duckdb/node-api";
import { VERIFY_EXAMPLES, type VerifyClass, type VerifyFinding } from "./verify-report.ts";

/** A `files` row as verify compares it with the disk. */
export type VerifyFileRow = { path: string; size: number; mtime: number; checksum: string | null; status: string };

/** What the tables say, read in one place (the writer thread's reader, or a read-only open). */
export type TableCheck = {
  rows: VerifyFileRow[];
  findings: Partial<Record<VerifyClass, VerifyFinding>>;
};

const INDEXED = `('indexed', 'warning')`;

/**
 * The index's own consistency rules, one query each, yielding the offending
 * items (`item`) and what to show for them (`example`). Each is the negation
 * of a rule the writer keeps (index-writer.ts) and test/support/index-invariants.ts asserts.
 * verify-repair.ts drops exactly these.
 */
export const TABLE_RULES: Partial<Record<VerifyClass, string>> = {
  pageWithoutFile: `SELECT p.path AS example FROM pages p WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.path = p.path)`,
  fileWithoutPage: `SELECT f.path AS example FROM files f
    WHERE f.status IN ${INDEXED} AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.path = f.path)`,
  pageStale: `SELECT f.path AS example FROM files f JOIN pages p ON p.path = f.path
    WHERE f.status IN ${INDEXED} AND p.checksum IS DISTINCT FROM f.checksum`,
  orphanBlocks: `SELECT b.path AS example FROM blocks b WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.path = b.path)`,
  blockCountDiffers: `SELECT p.path AS example FROM pages p
    LEFT JOIN (SELECT path, count(*) AS n FROM blocks GROUP BY path) b ON b.path = p.path
    WHERE p.block_count <> coalesce(b.n, 0)`,
  orphanRefs: `SELECT r.path AS example FROM refs r WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.key = r.block_key)`,
  orphanPostings: `SELECT p.block_key::VARCHAR AS example FROM fts_postings p WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.key = p.block_key)`,
  // A block's length is its token count; each posting holds one term's count in it (tf).
  postingCountDiffers: `SELECT b.path AS example FROM blocks b
    LEFT JOIN (SELECT block_key, sum(tf) AS n FROM fts_postings GROUP BY block_key) p ON p.block_key = b.key
    WHERE b.length <> coalesce(p.n, 0)`,
  postingsWithoutTerm: `SELECT coalesce(b.path, p.block_key::VARCHAR) AS example FROM fts_postings p LEFT JOIN blocks b ON b.key = p.block_key
    WHERE NOT EXISTS (SELECT 1 FROM fts_terms t WHERE t.term_hash = p.term_hash)`,
  termDfDiffers: `SELECT t.term AS example FROM fts_terms t
    LEFT JOIN (SELECT term_hash, count(*) AS n FROM fts_postings GROUP BY term_hash) p ON p.term_hash = t.term_hash
    WHERE t.df <> coalesce(p.n, 0)`,
};

/** Reads the `files` rows and checks every table rule. Read-only: runs on any connection. */
export async function checkTables(connection: DuckDBConnection): Promise<TableCheck> {
  const rowsJson = await scalar(
    connection,
    `SELECT coalesce(to_json(list({path: path, size: size::DOUBLE, mtime: mtime, checksum: checksum, status: status}))::VARCHAR, '[]') FROM files`,
  );
  const findings: Partial<Record<VerifyClass, VerifyFinding>> = {};
  for (const [name, sql] of Object.entries(TABLE_RULES) as [VerifyClass, string][]) {
    // Counted in items (rows), shown as their first distinct examples.
    const json = await scalar(
      connection,
      `SELECT to_json({count: count(*), examples: coalesce((list(DISTINCT example ORDER BY example))[1:${VERIFY_EXAMPLES}], [])})::VARCHAR
       FROM (${sql})`,
    );
    findings[name] = JSON.parse(json) as VerifyFinding;
  }
  return { rows: JSON.parse(rowsJson) as VerifyFileRow[], findings };
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<string> {
  const reader = await connection.runAndReadAll(sql);
  return String(reader.getRows()[0]?.[0]);
}
