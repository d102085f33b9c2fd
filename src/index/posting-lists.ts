import type { DuckDBConnection } from "@duckdb/node-api";
import { numberColumns } from "./number-columns.ts";
import { PAUSE_EVERY, type TimeSlices } from "./time-slices.ts";

/** One term's postings: block slots (search-model.ts) and the term's frequency in each. */
export type Postings = { slots: Int32Array; tf: Int32Array | Uint16Array };

/**
 * Every term's postings, held by the search model (issue #12): reading a
 * frequent term's postings from `fts_postings` took most of a query's time
 * (41,655 rows for "that" on a 20k-file graph: 6-10 ms, and megabytes of
 * short-lived arrays per query, whose collection made the p95). Terms by
 * their index in the model's vocabulary (term_hash order); a term's postings
 * are `slots`/`tf` from `start[i]` to `start[i + 1]`, in no particular order
 * (ranking does not depend on it). 6 bytes a posting: 26 MB for 4.4 million.
 */
export type PostingLists = {
  start: Int32Array;
  /** 1 where the term's postings are all here: its rows matched its df and every tf fits 16 bits. Others are read from the index. */
  complete: Uint8Array;
  slots: Int32Array;
  tf: Uint16Array;
};

/** About this many postings per statement: the transient result stays a few MB. */
const ROWS_PER_READ = 500_000;

/**
 * Reads the postings of the vocabulary's terms (`hashes` and `dfs` in
 * term_hash order, as loadSearchModel reads them), block keys turned into
 * slots. In ranges of terms, so no statement materialises all 4.4 million
 * rows at once (`fts_postings` is in term order: zone maps skip the rest).
 */
export async function loadPostingLists(
  connection: DuckDBConnection,
  hashes: readonly string[],
  dfs: readonly number[],
  slotOf: (key: number) => number,
  rowsPerRead = ROWS_PER_READ,
  step = async () => {},
  slices?: TimeSlices,
): Promise<PostingLists> {
  const terms = hashes.length;
  const start = new Int32Array(terms + 1);
  for (let i = 0; i < terms; i++) start[i + 1] = (start[i] as number) + (dfs[i] as number);
  const total = start[terms] as number;
  const slots = new Int32Array(total);
  const tf = new Uint16Array(total);
  const filled = new Int32Array(terms);
  const complete = new Uint8Array(terms).fill(1);
  for (let first = 0; first < terms; ) {
    let last = first;
    while (last + 1 < terms && (start[last + 2] as number) - (start[first] as number) <= rowsPerRead) last++;
    await step();
    const [index = new Float64Array(), keys = new Float64Array(), tfs = new Float64Array()] = await numberColumns(
      connection,
      `SELECT t.i::DOUBLE, p.block_key::DOUBLE, p.tf::DOUBLE
       FROM fts_postings p JOIN (SELECT term_hash, row_number() OVER (ORDER BY term_hash) - 1 AS i FROM fts_terms) t USING (term_hash)
       WHERE p.term_hash BETWEEN ${hashes[first]} AND ${hashes[last]}`,
    );
    for (let r = 0; r < index.length; r++) {
      if (slices !== undefined && r % PAUSE_EVERY === 0) await slices.pause();
      const i = index[r] as number;
      const n = filled[i] as number;
      const slot = slotOf(keys[r] as number);
      const f = tfs[r] as number;
      // A list that would overflow its df, a block the model lacks or a tf beyond 16 bits: that term is read from the index instead.
      if (n === (dfs[i] as number) || slot < 0 || f > 0xffff) {
        complete[i] = 0;
        continue;
      }
      slots[(start[i] as number) + n] = slot;
      tf[(start[i] as number) + n] = f;
      filled[i] = n + 1;
    }
    first = last + 1;
  }
  for (let i = 0; i < terms; i++) if (filled[i] !== dfs[i]) complete[i] = 0;
  return { start, complete, slots, tf };
}

/** The term's postings when the lists hold all of them, else undefined. */
export function postingsOf(lists: PostingLists, term: number): Postings | undefined {
  if (lists.complete[term] !== 1) return undefined;
  const from = lists.start[term] as number;
  const to = lists.start[term + 1] as number;
  return { slots: lists.slots.subarray(from, to), tf: lists.tf.subarray(from, to) };
}
