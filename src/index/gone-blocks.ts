import type { DuckDBConnection } from "@duckdb/node-api";
import { appendRows } from "./appenders.ts";
import type { DiffChanges } from "./model-delta.ts";

/**
 * Up to this many keys, a block diff names its gone blocks in the
 * statements themselves; more (a large share of a large page) go through
 * the incr_gone table, as a key list that long would be a long SQL text.
 */
export const MAX_LITERAL_KEYS = 1000;

/**
 * Deletes the rows of the blocks a diff removed (keys as DuckDB's decimal
 * text), their postings and refs with them, and counts the gone postings
 * into batch_df for updateDocumentFrequencies (postings.ts). Returns the
 * rows deleted. `changes`, when given, collects the keys and their postings
 * per term (search-model-refresh.ts).
 *
 * fts_postings is kept in term order (postings.ts rewriteInTermOrder), so
 * finding a block's postings scans the whole block_key column (20k files,
 * 4.4M postings: 20-25 ms a scan). For a handful of blocks it is scanned
 * once: the DELETE returns the gone postings' terms and batch_df gets them
 * through the appender, where an INSERT ... SELECT over fts_postings before
 * the DELETE scanned it twice.
 */
export async function deleteDiffChanges(c: DuckDBConnection, keys: readonly string[], filled: Set<string>, changes?: DiffChanges): Promise<number> {
  if (keys.length === 0) return 0;
  changes?.keys.push(...keys);
  let rows = 0;
  let list: string;
  if (keys.length <= MAX_LITERAL_KEYS) {
    // Decimal text from DuckDB or from a bigint, never user text: safe inline.
    if (!keys.every((key) => /^\d+$/.test(key))) throw new TypeError(`deleteDiffChanges: a block key is not a decimal integer`);
    list = `(${keys.join(", ")})`;
    const deleted = await c.runAndReadAll(`DELETE FROM fts_postings WHERE block_key IN ${list} RETURNING term_hash`);
    const perTerm = new Map<bigint, number>();
    for (const [hash] of deleted.getRows()) perTerm.set(hash as bigint, (perTerm.get(hash as bigint) ?? 0) + 1);
    rows += deleted.currentRowCount;
    if (changes !== undefined) {
      for (const [hash, n] of perTerm) changes.gonePostings.set(hash.toString(), (changes.gonePostings.get(hash.toString()) ?? 0) + n);
    }
    if (perTerm.size > 0) {
      await appendRows(c, "batch_df", (appender) => {
        for (const [hash, n] of perTerm) {
          appender.appendUBigInt(hash);
          appender.appendBigInt(BigInt(-n));
          appender.endRow();
        }
      }, "temp");
    }
  } else {
    if (changes !== undefined) changes.overflow = true;
    filled.add("incr_gone");
    await appendRows(c, "incr_gone", (appender) => {
      for (const key of keys) {
        appender.appendBigInt(BigInt(key));
        appender.endRow();
      }
    }, "temp");
    list = `(SELECT key FROM incr_gone)`;
    await c.run(`INSERT INTO batch_df SELECT term_hash, -count(*) FROM fts_postings WHERE block_key IN ${list} GROUP BY term_hash`);
    rows += (await c.run(`DELETE FROM fts_postings WHERE block_key IN ${list}`)).rowsChanged;
  }
  rows += (await c.run(`DELETE FROM refs WHERE block_key IN ${list}`)).rowsChanged;
  rows += (await c.run(`DELETE FROM blocks WHERE key IN ${list}`)).rowsChanged;
  return rows;
}
