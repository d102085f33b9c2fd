/**
 * How DuckDB reads the parse workers' NDJSON rows (block-rows.ts, BlockRow
 * and RefRow in index-batch.ts): one definition for a batch's whole
 * documents (whole-writes.ts) and an edit's block diff (incremental-write.ts).
 * A block's line leaves out what is null or false: a missing key reads as NULL.
 */

/** Column types of a BlockRow line, for DuckDB's JSON reader: every key a line may hold. */
const BLOCK_ROW_COLUMNS = `{path: 'VARCHAR', ord: 'BIGINT', id: 'VARCHAR', parent_id: 'VARCHAR', position: 'INTEGER',
  level: 'INTEGER', content: 'VARCHAR', properties: 'JSON', marker: 'VARCHAR', priority: 'VARCHAR',
  scheduled: 'INTEGER', deadline: 'INTEGER', repeater: 'VARCHAR', pre_block: 'BOOLEAN', length: 'INTEGER', tokens: 'VARCHAR'}`;
const REF_ROW_COLUMNS = `{path: 'VARCHAR', ord: 'BIGINT', block_id: 'VARCHAR', target: 'VARCHAR', kind: 'VARCHAR'}`;

/**
 * A block row file's lines as rows of (path, ord, id, parent_id, position,
 * level, content, properties, marker, priority, scheduled, deadline,
 * repeater, pre_block, length, tokens), the fields a line left out NULL
 * (`pre_block` false). `file`: an SQL string literal or parameter.
 */
export function blockRowsFrom(file: string): string {
  return `(SELECT * REPLACE (coalesce(pre_block, false) AS pre_block)
    FROM read_json(${file}, format = 'newline_delimited', columns = ${BLOCK_ROW_COLUMNS}))`;
}

/** A ref row file's lines as rows of (path, ord, block_id, target, kind). */
export function refRowsFrom(file: string): string {
  return `read_json(${file}, format = 'newline_delimited', columns = ${REF_ROW_COLUMNS})`;
}
