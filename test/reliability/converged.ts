import assert from "node:assert/strict";
import { DuckDBInstance } from "../../src/index/duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CONTENT_QUERIES } from "../support/index-tables.ts";

/**
 * Row-for-row comparison of an index with a clean sync of the same folder,
 * for scenarios with moves. A move keeps its blocks' ids (they hash the page
 * name the file was first indexed under, files.id_seed, issue #14) while a
 * clean sync derives them from the new name: so every block is named by its
 * place, `path#ord` (ord = how many blocks of its file come before it by seq), in every table
 * that points at a block, and the ids themselves are compared for every file
 * whose id_seed agrees with the clean sync's. Everything else is exact:
 * parents (by place), refs, terms with df, postings with tf, page rows
 * including their content checksum.
 */
/**
 * Blocks with their index in the file, `ord`: incremental writes keep keys,
 * so file order is `seq` (issue #11). The rank counts the file's blocks with
 * a lower seq, as a correlated count did at twice the cost.
 */
const PLACED_BLOCKS = `(SELECT *, rank() OVER (PARTITION BY path ORDER BY seq) - 1 AS ord FROM blocks)`;
const BLOCK_PLACE = `b.path || '#' || b.ord::VARCHAR`;
const JOIN_PLACE = `LEFT JOIN pages bp ON bp.path = b.path`;

const QUERIES: Record<string, string> = {
  files: `SELECT path, size, checksum, status, error FROM files`,
  pages: `SELECT name, original_name, path, journal_day, format, properties::VARCHAR AS properties, aliases::VARCHAR AS aliases,
    tags::VARCHAR AS tags, title_tokens, first_block_key IS NULL AS no_blocks, block_count, checksum FROM pages`,
  blocks: `SELECT ${BLOCK_PLACE} AS place, b.page, CASE WHEN b.parent_id IS NULL THEN NULL
      ELSE coalesce((SELECT min(p.path || '#' || p.ord::VARCHAR) FROM ${PLACED_BLOCKS} p
        WHERE p.path = b.path AND p.id = b.parent_id), 'missing parent ' || b.parent_id) END AS parent,
    b.position, b.level, b.content, b.properties::VARCHAR AS properties, b.marker, b.priority, b.scheduled, b.deadline,
    b.repeater, b.pre_block, b.length FROM ${PLACED_BLOCKS} b ${JOIN_PLACE}`,
  refs: `SELECT ${BLOCK_PLACE} AS place, r.page, r.path, r.target, r.kind FROM refs r LEFT JOIN ${PLACED_BLOCKS} b ON b.key = r.block_key ${JOIN_PLACE}`,
  fts_terms: `SELECT term_hash::VARCHAR AS term_hash, term, df FROM fts_terms`,
  fts_postings: `SELECT p.term_hash::VARCHAR AS term_hash, ${BLOCK_PLACE} AS place, p.tf
    FROM fts_postings p LEFT JOIN ${PLACED_BLOCKS} b ON b.key = p.block_key ${JOIN_PLACE}`,
  counts: `SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM pages) AS pages, (SELECT count(*) FROM blocks) AS blocks,
    (SELECT count(*) FROM refs) AS refs, (SELECT count(*) FROM fts_terms) AS terms, (SELECT count(*) FROM fts_postings) AS postings`,
};

/** Ids as the parser derives them: an edit keeps a block's id (issue #11), a clean sync derives it from the text. */
const IDS = `SELECT f.id_seed, b.path, b.ord::INTEGER AS ord, b.parser_id AS id,
    (SELECT any_value(p.parser_id) FROM blocks p WHERE p.path = b.path AND p.id = b.parent_id) AS parent_id
  FROM ${PLACED_BLOCKS} b ${JOIN_PLACE} JOIN files f ON f.path = b.path`;

/**
 * Compares two index files with DuckDB itself (both attached read-only to
 * one in-memory database): each query's rows, as multisets (EXCEPT ALL both
 * ways). Reading every row into JSON first took seconds per comparison.
 */
export async function assertSameRows(actual: string, expected: string, queries: Record<string, string>, what: string): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH ${literal(actual)} AS actual_db (READ_ONLY)`);
    await connection.run(`ATTACH ${literal(expected)} AS clean_db (READ_ONLY)`);
    const differences: string[] = [];
    for (const [table, sql] of Object.entries(queries)) {
      for (const side of ["actual_db", "clean_db"]) {
        await connection.run(`USE ${side}`);
        await connection.run(`CREATE OR REPLACE TEMP TABLE ${side}_${table} AS ${sql}`);
      }
      differences.push(...(await differ(connection, table, `SELECT * FROM temp.main.actual_db_${table}`, `SELECT * FROM temp.main.clean_db_${table}`, what)));
    }
    if (queries === QUERIES) {
      // Ids only where both indexes derived them from the same seed (see above).
      const agreeing = (mine: string, theirs: string) =>
        `SELECT path, ord, id, parent_id FROM temp.main.${mine}_ids x WHERE id_seed IS NOT DISTINCT FROM
          (SELECT any_value(id_seed) FROM temp.main.${theirs}_ids y WHERE y.path = x.path)`;
      for (const side of ["actual_db", "clean_db"]) {
        await connection.run(`USE ${side}`);
        await connection.run(`CREATE OR REPLACE TEMP TABLE ${side}_ids AS ${IDS}`);
      }
      differences.push(...(await differ(connection, "blocks' ids", agreeing("actual_db", "clean_db"), agreeing("clean_db", "actual_db"), what)));
    }
    if (differences.length > 0) assert.fail(differences.join("\n"));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function differ(connection: DuckDBConnection, table: string, mine: string, theirs: string, what: string): Promise<string[]> {
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson().map((row) => JSON.stringify(row));
  const onlyMine = await rows(`(${mine} EXCEPT ALL ${theirs}) LIMIT 10`);
  const onlyTheirs = await rows(`(${theirs} EXCEPT ALL ${mine}) LIMIT 10`);
  if (onlyMine.length === 0 && onlyTheirs.length === 0) return [];
  const [counts] = await rows(`SELECT (SELECT count(*) FROM (${mine})) AS mine, (SELECT count(*) FROM (${theirs})) AS clean`);
  return [
    `${what}: table ${table} differs from a clean sync (rows ${counts})\n` +
      `only in ${what}:\n  ${onlyMine.join("\n  ")}\nonly in the clean sync:\n  ${onlyTheirs.join("\n  ")}`,
  ];
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Asserts `actual` holds what the clean sync `expected` holds, blocks named by place where a move kept older ids (see above). */
export function assertConverged(actual: string, expected: string, what: string): Promise<void> {
  return assertSameRows(actual, expected, QUERIES, what);
}

/** Asserts both indexes hold the same rows, block ids included (index-tables.ts's content queries): for scenarios without moves. */
export function assertSameIndexRows(actual: string, expected: string, what: string): Promise<void> {
  return assertSameRows(actual, expected, CONTENT_QUERIES, what);
}
