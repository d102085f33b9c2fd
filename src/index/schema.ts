/**
 * The index schema: a public interface (users query it with SQL), documented
 * in docs/schema.md. No PRIMARY KEY or UNIQUE constraints: DuckDB's ART
 * indexes slow bulk loads and reject delete-then-reinsert of one key inside a
 * transaction; the single writer thread keeps keys unique instead.
 */
export const SCHEMA_VERSION = 7;

/**
 * `blocks.seq` of a whole-file write: key × SEQ_GAP. The gaps let an
 * incremental write (incremental-write.ts) place inserted blocks between
 * kept ones without renumbering the file.
 */
export const SEQ_GAP = 4096;

export const SCHEMA_DDL = [
  `CREATE TABLE IF NOT EXISTS sync_state (key VARCHAR, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (
    path VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    mtime DOUBLE NOT NULL,
    checksum VARCHAR,
    status VARCHAR NOT NULL,
    error VARCHAR,
    indexed_at TIMESTAMP NOT NULL,
    id_seed VARCHAR
  )`,
  `CREATE TABLE IF NOT EXISTS pages (
    name VARCHAR NOT NULL,
    original_name VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    journal_day INTEGER,
    format VARCHAR NOT NULL,
    properties JSON,
    aliases VARCHAR[],
    tags VARCHAR[],
    title_tokens VARCHAR NOT NULL,
    first_block_key BIGINT,
    block_count INTEGER NOT NULL,
    checksum VARCHAR
  )`,
  `CREATE TABLE IF NOT EXISTS blocks (
    key BIGINT NOT NULL,
    id VARCHAR NOT NULL,
    page VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    parent_id VARCHAR,
    position INTEGER NOT NULL,
    level INTEGER NOT NULL,
    content VARCHAR NOT NULL,
    properties JSON,
    marker VARCHAR,
    priority VARCHAR,
    scheduled INTEGER,
    deadline INTEGER,
    repeater VARCHAR,
    pre_block BOOLEAN NOT NULL,
    length INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    parser_id VARCHAR NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS refs (
    block_id VARCHAR NOT NULL,
    block_key BIGINT NOT NULL,
    page VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    kind VARCHAR NOT NULL
  )`,
  // df: how many postings (blocks) hold the term, kept exact by the writer; a term with none is removed.
  `CREATE TABLE IF NOT EXISTS fts_terms (term_hash UBIGINT NOT NULL, term VARCHAR NOT NULL, df BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS fts_postings (term_hash UBIGINT NOT NULL, block_key BIGINT NOT NULL, tf INTEGER NOT NULL)`,
  // SyncConflicts (src/pipeline/conflict-types.ts): history, not content, so a clean sync need not reproduce it.
  `CREATE TABLE IF NOT EXISTS conflicts (
    id BIGINT NOT NULL,
    type VARCHAR NOT NULL,
    paths VARCHAR[] NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    details JSON,
    strategy VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    resolved_at TIMESTAMP,
    resolution VARCHAR
  )`,
  `CREATE OR REPLACE VIEW fts_stats AS
    SELECT count(*) AS documents, coalesce(avg(length), 0) AS avg_length FROM blocks`,
];

/**
 * Steps from an older schema version (the key) to the next, as transactions
 * run in turn, each safe to run again after a crash (the version moves on in
 * the last); versions without steps are refused with a rebuild hint.
 */
export const SCHEMA_MIGRATIONS: Record<string, string[][]> = {
  // 5 → 6: blocks.seq, the file order readers use since incremental writes keep keys (issue #11).
  // DuckDB refuses SET NOT NULL in the transaction that filled the column, hence two.
  "5": [
    [`ALTER TABLE blocks ADD COLUMN IF NOT EXISTS seq BIGINT`, `UPDATE blocks SET seq = key * ${SEQ_GAP}`],
    [`ALTER TABLE blocks ALTER COLUMN seq SET NOT NULL`],
  ],
  // 6 → 7: blocks.parser_id, the id the parser derives, beside the id an edit keeps (issue #11): the block
  // diff matches on it after a restart. Version 6 kept no ids across edits, so every id is its parser id.
  "6": [
    [`ALTER TABLE blocks ADD COLUMN IF NOT EXISTS parser_id VARCHAR`, `UPDATE blocks SET parser_id = id`],
    [`ALTER TABLE blocks ALTER COLUMN parser_id SET NOT NULL`],
  ],
};

/** Per-batch scratch tables, private to the writer's connection. */
export const SCRATCH_DDL = [
  `CREATE TEMP TABLE IF NOT EXISTS batch_paths (path VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS batch_docs (path VARCHAR, page VARCHAR, base BIGINT)`,
  // The blocks table's columns in its order, keys already computed, plus the tokens the postings are built from.
  `CREATE TEMP TABLE IF NOT EXISTS batch_blocks (key BIGINT, id VARCHAR, page VARCHAR, path VARCHAR, parent_id VARCHAR,
    position INTEGER, level INTEGER, content VARCHAR, properties JSON, marker VARCHAR, priority VARCHAR,
    scheduled INTEGER, deadline INTEGER, repeater VARCHAR, pre_block BOOLEAN, length INTEGER, tokens VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS batch_terms (block_key BIGINT, term_hash UBIGINT, term VARCHAR)`,
  // Per term, minus the number of the batch's postings about to be deleted (see #updateDocumentFrequencies).
  `CREATE TEMP TABLE IF NOT EXISTS batch_df (term_hash UBIGINT, n BIGINT)`,
];
