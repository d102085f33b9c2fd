import assert from "node:assert/strict";
import { queryEach } from "./db.ts";

/**
 * Every table of an index by its content columns, rows sorted: two indexes of
 * the same files compare equal whatever order they were written in. Internal
 * keys (`blocks.key`, `refs.block_key`, `pages.first_block_key`, postings'
 * block keys) become the block's id; times of writing (`indexed_at`, `mtime`)
 * are left out, since a clean sync of the same bytes writes other times.
 * Block ids are compared, so use it where no move happened; after moves
 * (which keep ids) use `assertSameAsCleanSync` of index-invariants.ts.
 * Ids are compared modulo the ids an edit keeps (issue #11, block-edits.ts):
 * every id, parent_id and refs.block_id is read as the parser id of the block
 * it names (`blocks.parser_id`, what a clean sync derives). The invariants
 * "block id used twice in a file" and "block whose parent_id is no block of
 * its file" (index-invariants.ts) make that mapping one-to-one.
 */
export const CONTENT_QUERIES: Record<string, string> = {
  files: `SELECT path, size, checksum, status, error FROM files`,
  pages: `SELECT p.name, p.original_name, p.path, p.journal_day, p.format, p.properties::VARCHAR AS properties,
    p.aliases::VARCHAR AS aliases, p.tags::VARCHAR AS tags, p.title_tokens, b.parser_id AS first_block_id, p.block_count
    FROM pages p LEFT JOIN blocks b ON b.key = p.first_block_key`,
  blocks: `SELECT b.parser_id AS id, b.page, b.path, CASE WHEN b.parent_id IS NULL THEN NULL ELSE coalesce(p.parser_id, 'missing ' || b.parent_id) END
      AS parent_id, b.position, b.level, b.content, b.properties::VARCHAR AS properties, b.marker, b.priority,
    b.scheduled, b.deadline, b.repeater, b.pre_block, b.length FROM blocks b LEFT JOIN blocks p ON p.path = b.path AND p.id = b.parent_id`,
  refs: `SELECT coalesce(i.parser_id, 'missing ' || r.block_id) AS block_id, b.parser_id AS key_block_id, r.page, r.path, r.target, r.kind
    FROM refs r LEFT JOIN blocks b ON b.key = r.block_key LEFT JOIN blocks i ON i.path = r.path AND i.id = r.block_id`,
  fts_terms: `SELECT term_hash::VARCHAR AS term_hash, term, df FROM fts_terms`,
  fts_postings: `SELECT p.term_hash::VARCHAR AS term_hash, b.parser_id AS block_id, b.path, p.tf FROM fts_postings p LEFT JOIN blocks b ON b.key = p.block_key`,
};

export type IndexContent = Record<string, string[]>;

/** Reads every table's content rows (JSON text per row, sorted). Only while no service holds the file. */
export async function readIndexContent(database: string): Promise<IndexContent> {
  const tables = Object.keys(CONTENT_QUERIES);
  const rows = await queryEach(database, Object.values(CONTENT_QUERIES));
  return Object.fromEntries(tables.map((table, i) => [table, (rows[i] ?? []).map((row) => JSON.stringify(row)).sort()]));
}

/**
 * Asserts two indexes hold the same content, table by table, row for row.
 * On a difference it names the table and lists the rows only one side has
 * (the whole tables would drown the message).
 */
export async function assertSameIndex(
  actualDatabase: string,
  expectedDatabase: string,
  what = "index",
): Promise<void> {
  const actual = await readIndexContent(actualDatabase);
  const expected = await readIndexContent(expectedDatabase);
  for (const table of Object.keys(CONTENT_QUERIES)) {
    const a = actual[table] ?? [];
    const e = expected[table] ?? [];
    if (JSON.stringify(a) === JSON.stringify(e)) continue;
    const onlyActual = multisetMinus(a, e).slice(0, 10);
    const onlyExpected = multisetMinus(e, a).slice(0, 10);
    assert.fail(
      `${what}: table ${table} differs from a clean sync (${a.length} rows vs ${e.length})\n` +
        `only in ${what}:\n  ${onlyActual.join("\n  ")}\nonly in the clean sync:\n  ${onlyExpected.join("\n  ")}`,
    );
  }
}

function multisetMinus(from: string[], minus: string[]): string[] {
  const counts = new Map<string, number>();
  for (const row of minus) counts.set(row, (counts.get(row) ?? 0) + 1);
  const rest: string[] = [];
  for (const row of from) {
    const n = counts.get(row) ?? 0;
    if (n > 0) counts.set(row, n - 1);
    else rest.push(row);
  }
  return rest;
}
