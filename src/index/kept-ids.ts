import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Block ids an edit kept (issue #11, block-edits.ts) across a whole-file
 * rewrite. A block diff lets an edited block keep its id, while its text
 * derives another one (`parser_id`). A later whole rewrite of the file (a
 * page-level change, too many blocks changed, a forced re-index) derived
 * every id from the text again: a kept id vanished from a block whose text
 * had not changed since, and every `((id))` pointing at it dangled.
 *
 * So before a rewritten file's rows go, its kept ids are saved by parser id,
 * and after its new rows are in, a block whose text still derives that
 * parser id gets its kept id back, its children's `parent_id` and its refs'
 * `block_id` with it. Not when another block of the new text derives the
 * kept id itself (ids stay unique in a file, the rule block-edits.ts keeps).
 * Files without kept ids, which is nearly all, cost one scan of their rows.
 */
export const KEPT_IDS_DDL = [`CREATE TEMP TABLE IF NOT EXISTS batch_kept (path VARCHAR NOT NULL, parser_id VARCHAR NOT NULL, id VARCHAR NOT NULL)`];

/** Saves the kept ids of the paths in batch_paths, before their rows are deleted; returns how many. */
export async function saveKeptIds(c: DuckDBConnection): Promise<number> {
  const saved = await c.run(`INSERT INTO batch_kept
    SELECT path, parser_id, id FROM blocks WHERE path IN (SELECT path FROM batch_paths) AND id <> parser_id`);
  return saved.rowsChanged;
}

/** Gives the saved ids back to the new rows (keys from `firstKey` on) of blocks still deriving the same parser id. */
export async function restoreKeptIds(c: DuckDBConnection, firstKey: bigint): Promise<void> {
  await c.run(`UPDATE blocks SET id = k.id FROM batch_kept k
    WHERE blocks.key >= ${firstKey} AND blocks.path = k.path AND blocks.parser_id = k.parser_id
      AND NOT EXISTS (SELECT 1 FROM blocks o WHERE o.key >= ${firstKey} AND o.path = k.path AND o.parser_id = k.id)`);
  // The rows given their kept id back: their children and refs still name the parser id.
  const given = `(SELECT key, path, parser_id, id FROM blocks
    WHERE key >= ${firstKey} AND path IN (SELECT path FROM batch_kept) AND id <> parser_id)`;
  await c.run(`UPDATE blocks SET parent_id = g.id FROM ${given} g
    WHERE blocks.key >= ${firstKey} AND blocks.path = g.path AND blocks.parent_id = g.parser_id`);
  await c.run(`UPDATE refs SET block_id = g.id FROM ${given} g WHERE refs.block_key >= ${firstKey} AND refs.block_key = g.key`);
  await c.run(`DELETE FROM batch_kept`);
}
