import type { DuckDBConnection } from "@duckdb/node-api";
import type { FileWrite } from "./index-batch.ts";
import type { IndexedPaths } from "./indexed-paths.ts";
import { saveKeptIds } from "./kept-ids.ts";
import { deleteByPaths } from "./path-writes.ts";

/** What a batch's deletes removed (`deleteReplaced`). */
export type Replaced = {
  /** Index rows the deletes changed. */
  rows: number;
  /** Paths whose pages and blocks went (to be written again whole, or for good). */
  contentGone: string[];
  /** The names of the pages that went. */
  goneNames: Set<string>;
  /** "path\0name" of the pages that went: a path written again under its name does not join a clash anew. */
  pagesBefore: Set<string>;
  /** Block ids kept across the rewrite (kept-ids.ts): given back once the blocks are in again. */
  keptIds: number;
};

/**
 * A step of a batch's transaction (IndexWriter.apply), after its block
 * diffs: the rows of what it replaces or removes go. The pages, blocks,
 * refs and postings of every file it writes whole or deletes (not those a
 * block diff wrote, `diffed`), with their postings' share of each term's
 * df left in batch_df (postings.ts updateDocumentFrequencies), and the
 * files rows of every path it writes, moves or deletes. Only paths the
 * index holds rows for are deleted (`indexed`).
 */
export async function deleteReplaced(
  c: DuckDBConnection,
  writes: readonly FileWrite[],
  indexed: IndexedPaths,
  diffed: ReadonlySet<string>,
): Promise<Replaced> {
  const contentGone = writes
    .flatMap((w) => (w.op === "index" ? [w.file.path] : w.op === "delete" ? [w.path] : []))
    .filter((path) => indexed.content.has(path) && !diffed.has(path));
  const goneNames = new Set<string>();
  const pagesBefore = new Set<string>();
  let keptIds = 0;
  let rows = await deleteByPaths(c, contentGone, [
    // Cheap: block keys are clustered, so zone maps skip the rest of fts_postings.
    `INSERT INTO batch_df SELECT term_hash, -count(*) FROM fts_postings
      WHERE block_key IN (SELECT key FROM blocks WHERE path IN (SELECT path FROM batch_paths)) GROUP BY term_hash`,
    `DELETE FROM fts_postings WHERE block_key IN (SELECT key FROM blocks WHERE path IN (SELECT path FROM batch_paths))`,
    `DELETE FROM blocks WHERE path IN (SELECT path FROM batch_paths)`,
    `DELETE FROM refs WHERE path IN (SELECT path FROM batch_paths)`,
    `DELETE FROM pages WHERE path IN (SELECT path FROM batch_paths)`,
  ], async () => {
    keptIds = await saveKeptIds(c);
    const names = await c.runAndReadAll(`SELECT name, path FROM pages WHERE path IN (SELECT path FROM batch_paths)`);
    for (const row of names.getRows()) {
      goneNames.add(row[0] as string);
      pagesBefore.add(`${row[1] as string}\0${row[0] as string}`);
    }
  });
  const fileRowsGone = writes
    .flatMap((w) => (w.op === "delete" ? [w.path] : w.op === "rename" ? [w.from, w.file.path] : [w.file.path]))
    .filter((path) => indexed.files.has(path));
  rows += await deleteByPaths(c, fileRowsGone, [`DELETE FROM files WHERE path IN (SELECT path FROM batch_paths)`]);
  return { rows, contentGone, goneNames, pagesBefore, keptIds };
}
