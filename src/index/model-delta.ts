import type { DuckDBConnection } from "@duckdb/node-api";
import { numberColumns } from "./number-columns.ts";
import { LIST, VARCHAR, listValue } from "./duckdb.ts";
import { PAGE_COLUMNS, readPageRows, type PageRow } from "./search-model.ts";

/**
 * What a commit hands the search model (search-model-refresh.ts): the
 * changes its block diffs collected (DiffChanges) and what is read back
 * after it (readModelDelta).
 */
export type ModelDelta = {
  /** Blocks the commit deleted. */
  goneKeys: readonly number[];
  /** How many postings each term (term_hash, decimal) lost with them. */
  gonePostings: ReadonlyMap<string, number>;
  /** Blocks the commit inserted (every key from the batch's first new key on). */
  blocks: { key: number; length: number; preBlock: boolean; seq: number; rowId: number; path: string }[];
  /** Their postings: term_hash (decimal), the term, block key, tf (collected by the block diffs). */
  postings: { hash: string; term: string; key: number; tf: number }[];
  /** Pages the commit added; with any, every new posting is in `termPostings` instead (read back: whole writes build theirs in SQL). */
  pages: readonly PageRow[];
  termPostings: TermPostings;
  /** first_block_key of each page whose diff started at its first block (the others keep theirs), by path. */
  firstBlocks: ReadonlyMap<string, number | null>;
};

/**
 * A commit as the search model sees it (IndexWriter.takeModelDelta):
 * `refreshable` when a loaded model could follow it (it left page rows as
 * they were and was small), `delta` what it changed when one was loaded.
 */
export type CommittedChange = { refreshable: boolean; delta: ModelDelta | null };

/**
 * The new postings read back after a commit that added pages: each term
 * with how many it has, and their block keys and tfs in one array each, in
 * the terms' order (by term_hash, then block key).
 */
export type TermPostings = { terms: readonly { hash: string; term: string; count: number }[]; keys: Float64Array; tf: Float64Array };

const NO_TERM_POSTINGS: TermPostings = { terms: [], keys: new Float64Array(), tf: new Float64Array() };

/**
 * What a commit changed, read after it (on the writer's connection, before
 * any other write, so the new blocks' row ids are final): the new blocks,
 * by key from `firstNewKey` (blocks are clustered by key: one small
 * statement); the rest comes from `changes`, collected while the diffs ran.
 */
export async function readModelDelta(c: DuckDBConnection, firstNewKey: bigint, changes: DiffChanges, addedPaths: readonly string[] = []): Promise<ModelDelta> {
  const [keys = [], lengths = [], preBlocks = [], seqs = [], rowIds = [], paths = []] = (await c.runAndReadAll(
    `SELECT key::DOUBLE, length::DOUBLE, pre_block, seq::DOUBLE, rowid::DOUBLE, path FROM blocks WHERE key >= ${firstNewKey} ORDER BY key`,
  )).getColumns();
  let pages: PageRow[] = [];
  let termPostings = NO_TERM_POSTINGS;
  if (addedPaths.length > 0) {
    pages = readPageRows((await c.runAndReadAll(
      `SELECT ${PAGE_COLUMNS} FROM pages WHERE path IN (SELECT unnest($paths))`,
      { paths: listValue([...addedPaths]) },
      { paths: LIST(VARCHAR) },
    )).getColumns());
    // One string per term, not per posting; the postings as two number columns (numberColumns copies them
    // chunk by chunk), where lists of keys and tfs per term cost a JS array each (12,000 terms a catch-up
    // commit). New keys are clustered (zone maps). Both in term_hash order, so the counts slice the columns.
    // Counted by hash before the join: the join then meets one row per term, not one per posting (a
    // 1,000-file batch's 226,000 postings on a 20,000-file index, DuckDB at one thread: 18 ms instead of 28).
    const [terms = [], hashes = [], counts = []] = (await c.runAndReadAll(
      `SELECT t.term, p.term_hash::VARCHAR, p.n::DOUBLE
       FROM (SELECT term_hash, count(*) AS n FROM fts_postings WHERE block_key >= ${firstNewKey} GROUP BY term_hash) p
       JOIN fts_terms t USING (term_hash) ORDER BY p.term_hash`,
    )).getColumns();
    const [keys = new Float64Array(), tf = new Float64Array()] = await numberColumns(
      c,
      `SELECT block_key::DOUBLE, tf::DOUBLE FROM fts_postings WHERE block_key >= ${firstNewKey} ORDER BY term_hash, block_key`,
    );
    termPostings = {
      terms: terms.map((term, i) => ({ term: term as string, hash: hashes[i] as string, count: counts[i] as number })),
      keys,
      tf,
    };
  }
  return {
    goneKeys: changes.keys.map(Number),
    gonePostings: changes.gonePostings,
    blocks: keys.map((key, i) => ({
      key: key as number,
      length: lengths[i] as number,
      preBlock: preBlocks[i] === true,
      seq: seqs[i] as number,
      rowId: rowIds[i] as number,
      path: paths[i] as string,
    })),
    postings: addedPaths.length > 0 ? [] : (changes.postings ?? []),
    firstBlocks: changes.firstBlocks,
    pages,
    termPostings,
  };
}

/**
 * What a commit's block diffs changed, collected while they run: the keys
 * of the blocks they deleted (as DuckDB's decimal text) and their postings
 * per term (gone-blocks.ts), `overflow` when a diff deleted too many blocks
 * to collect them (a loaded model is then dropped), and, when a model wants
 * them, the new blocks' postings and the pages' new first blocks
 * (incremental-write.ts). A statement reading them back after the commit
 * cost 10 ms of every edit on 2,000 files; a model computes the terms' df,
 * the block count and the mean length from them as the writer does.
 */
export type DiffChanges = {
  keys: string[];
  gonePostings: Map<string, number>;
  overflow: boolean;
  postings?: ModelDelta["postings"];
  firstBlocks: Map<string, number | null>;
};
