import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "./sql-string.ts";

/** Runs one named statement (the name is for the writer's profile) and returns the rows it changed. */
export type Statement = (name: string, sql: string) => Promise<number>;

/**
 * From a table of (block_key, term_hash, term) occurrences: the terms the
 * vocabulary lacks join it with df 0 (updateDocumentFrequencies adds their
 * postings), then one posting per term and block with its count. Shared by
 * whole-file batches (batch_terms) and block diffs (incr_terms). Returns the
 * postings inserted.
 */
export async function addPostings(run: Statement, terms: string, inTermOrder = true): Promise<number> {
  // The terms are grouped before the anti join with the vocabulary: anti-joining every occurrence cost 4x more.
  await run("s.vocab", `INSERT INTO fts_terms
    SELECT b.term_hash, b.term, 0 FROM (SELECT term_hash, any_value(term) AS term FROM ${terms} GROUP BY term_hash) b
    WHERE NOT EXISTS (SELECT 1 FROM fts_terms t WHERE t.term_hash = b.term_hash)`);
  // Sorted by term within the batch: zone maps then let a search skip most
  // row groups (8,000 files: a one-term lookup's p50 1.4-2.3 ms sorted,
  // 10-12 ms unsorted), which pays for the sort. Not in a bulk load, which
  // sorts the whole table once at its end (IndexWriter.startBulkLoad): there
  // the sort was about half of this statement, 0.8 s of 20,000 files.
  return run("s.postings", `INSERT INTO fts_postings
    SELECT term_hash, block_key, count(*)::INTEGER FROM ${terms}
    GROUP BY term_hash, block_key${inTermOrder ? `
    ORDER BY term_hash` : ""}`);
}

/** A batch's postings and its terms in Parquet files (postings-parts.ts), or the lists of several batches'. */
export type Part = { postings: string; terms: string };
export type Parts = { postings: readonly string[]; terms: readonly string[] };

/**
 * As addPostings, in a bulk load that keeps its postings in parts: the
 * batch's postings and every term they use go to the files of `part`, and
 * neither the vocabulary nor df sees them until mergeParts. Returns the
 * postings written.
 */
export async function addPostingsPart(run: Statement, terms: string, part: Part): Promise<number> {
  await run("s.vocab", `COPY (SELECT term_hash, any_value(term) AS term FROM ${terms} GROUP BY term_hash) TO ${sqlString(part.terms)} (FORMAT parquet)`);
  return run("s.postings", `COPY (SELECT term_hash, block_key, count(*)::INTEGER AS tf FROM ${terms} GROUP BY term_hash, block_key)
    TO ${sqlString(part.postings)} (FORMAT parquet)`);
}

function parquet(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlString).join(", ")}])`;
}

/**
 * In the caller's transaction, parts join the index: their terms the
 * vocabulary, their postings df, and (`into: "table"`) fts_postings; with
 * `into: "sort"` the caller's sort reads the rows this returns (an SQL
 * source) with the table.
 */
export async function mergeParts(run: Statement, parts: Parts, into: "table" | "sort"): Promise<string> {
  const postings = parquet(parts.postings);
  await run("s.vocab", `INSERT INTO fts_terms
    SELECT b.term_hash, b.term, 0 FROM (SELECT term_hash, any_value(term) AS term FROM ${parquet(parts.terms)} GROUP BY term_hash) b
    WHERE NOT EXISTS (SELECT 1 FROM fts_terms t WHERE t.term_hash = b.term_hash)`);
  await run("s.df", `UPDATE fts_terms SET df = fts_terms.df + d.n
    FROM (SELECT term_hash, count(*) AS n FROM ${postings} GROUP BY term_hash) d WHERE fts_terms.term_hash = d.term_hash`);
  const rows = `SELECT term_hash, block_key, tf FROM ${postings}`;
  if (into === "table") await run("s.parts", `INSERT INTO fts_postings ${rows}`);
  return rows;
}

/**
 * Keeps `fts_terms.df` equal to each term's postings count (issue #8):
 * adds the batch's new postings per term (their keys are >= `firstNewKey`,
 * so zone maps skip every older row group) and subtracts the gone ones
 * counted into batch_df before their delete; terms falling to 0 leave the
 * vocabulary. Two statements (one when nothing was deleted), neither
 * reading older postings: the orphan-term anti-join this replaces scanned
 * every posting's term in each batch that removed text (36-120 ms each).
 */
export async function updateDocumentFrequencies(run: Statement, firstNewKey: bigint, postingsGone: boolean): Promise<void> {
  await run("s.df", `UPDATE fts_terms SET df = fts_terms.df + d.n
    FROM (SELECT term_hash, sum(n) AS n FROM (
        SELECT term_hash, n FROM batch_df
        UNION ALL SELECT term_hash, count(*) FROM fts_postings WHERE block_key >= ${firstNewKey} GROUP BY term_hash)
      GROUP BY term_hash HAVING sum(n) <> 0) d
    WHERE fts_terms.term_hash = d.term_hash`);
  if (!postingsGone) return;
  // Only terms that lost postings can be at 0: a scan of one integer column.
  await run("s.df", `DELETE FROM fts_terms WHERE df = 0`);
  await run("s.cleanup", `DELETE FROM batch_df`);
}

/**
 * Rewrites fts_postings in term order. Each batch sorts its own postings, so
 * after a bulk load a term's postings sit in every batch's row groups and a
 * lookup scans most of the table; in one term order, DuckDB's zone maps skip
 * all but the term's own row groups. A bulk load's `parts` (postings-parts.ts)
 * join the table in the same sort, and `merged` empties their list there.
 * One transaction: readers see the old table or the new one.
 */
export async function rewriteInTermOrder(
  c: DuckDBConnection,
  parts: Parts & { merged: (c: DuckDBConnection) => Promise<void> } = { postings: [], terms: [], merged: async () => {} },
): Promise<void> {
  await c.run("BEGIN TRANSACTION");
  try {
    const run: Statement = async (_, sql) => (await c.run(sql)).rowsChanged;
    const inParts = parts.postings.length === 0 ? "" : ` UNION ALL ${await mergeParts(run, parts, "sort")}`;
    await c.run(`CREATE TABLE fts_postings_clustered (term_hash UBIGINT NOT NULL, block_key BIGINT NOT NULL, tf INTEGER NOT NULL)`);
    await c.run(`INSERT INTO fts_postings_clustered SELECT * FROM (SELECT * FROM fts_postings${inParts}) ORDER BY term_hash, block_key`);
    await c.run(`DROP TABLE fts_postings`);
    await c.run(`ALTER TABLE fts_postings_clustered RENAME TO fts_postings`);
    if (parts.postings.length > 0) await parts.merged(c);
    await c.run("COMMIT");
  } catch (error) {
    await c.run("ROLLBACK").catch(() => {});
    throw error;
  }
}
