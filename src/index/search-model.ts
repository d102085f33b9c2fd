import type { DuckDBConnection } from "@duckdb/node-api";
import { numberColumns } from "./number-columns.ts";
import { columnsInSlices, PAUSE_EVERY, TimeSlices } from "./time-slices.ts";
import { loadPostingLists, type Postings, type PostingLists } from "./posting-lists.ts";

/**
 * What ranking needs, postings included (posting-lists.ts), held in memory by the thread that
 * answers searches (issue #12, p50 <= 10 ms on 20k files): the vocabulary
 * (for exact, prefix and typo matches), page titles (name and alias words,
 * exact names) and each block's length, properties flag, file order, row id
 * and page. On a 20,000-file graph (74,574 terms, 20,000 pages, 287,540
 * blocks) a query's statements spent most of their time on these: scanning
 * the vocabulary for completions and corrections, every title for the query
 * words, and hashing every block to join postings with block lengths.
 *
 * A snapshot: one read transaction loads it, and whoever holds it drops it
 * when the index changes (search-model-cache.ts). Searches with it then read
 * only their hits' rows (search-memory.ts).
 */
export type SearchModel = {
  /** Term → its `fts_terms` row (a Map when loaded, layered once refreshed: search-model-refresh.ts). */
  vocabulary: Vocabulary;
  /** Every term's postings (posting-lists.ts), by the index of the term's loaded entry. */
  postings: PostingLists;
  /** The loaded vocabulary's terms in code-unit order: a prefix's completions are one range. */
  sortedTerms: string[];
  /** Loaded vocabulary terms by length in code points (the typo candidates' length window). */
  termsByLength: Map<number, string[]>;
  /**
   * Terms that joined the vocabulary after the load (search-model-refresh.ts), sorted as `sortedTerms`
   * and by length as `termsByLength`. A term that left it stays in those lists; `vocabulary` no longer has it.
   */
  addedTerms: string[];
  addedByLength: Map<number, string[]>;
  /** Every distinct word of page names and aliases, sorted: the word being typed completes to them too. */
  titleWords: string[];
  pages: ModelPage[];
  /** A title word → the pages (with a first block) whose name or alias holds it. */
  pagesByTitleWord: Map<string, number[]>;
  /** A title word → every page whose name or alias holds it (search --pages). */
  allPagesByTitleWord: Map<string, number[]>;
  blocks: ModelBlocks;
  /** `count(*)` and `greatest(avg(length), 1)` of blocks, as the SQL path computes them, and `sum(length)` (for refreshes). */
  documents: number;
  avgLength: number;
  lengthSum: number;
};

/**
 * A term's `fts_terms` row: df and term_hash (as decimal text, for SQL), and
 * its index in `postings` (-1 for a term refreshed since the load). `list`:
 * its postings as refreshed (search-model-refresh.ts); a refreshed term
 * without one (its loaded list was not whole) is read from the index.
 */
export type VocabularyEntry = { df: number; hash: string; index: number; list?: Postings };

/** What searches ask of the vocabulary: a Map when loaded. */
export interface Vocabulary {
  get(term: string): VocabularyEntry | undefined;
  values(): IterableIterator<VocabularyEntry>;
  [Symbol.iterator](): IterableIterator<[string, VocabularyEntry]>;
}

export type ModelPage = {
  path: string;
  originalName: string;
  /** Slot of the page's first block, -1 when it has none. */
  firstBlock: number;
  /** strip_accents of the name and of each alias, compared with the query text for an exact title match. */
  exactNames: string[];
  aliases: string[];
  /** Slots of every block of the page. */
  blocks: number[];
};

/**
 * Blocks by slot (the order they were loaded in, then appended by
 * refreshes); `slotOf` maps a block key to its slot or -1. The arrays may be
 * longer than `count`: refreshed models append into the same arrays while
 * they have room, and a model never reads past its own count.
 */
export type ModelBlocks = {
  count: number;
  key: Float64Array;
  length: Float64Array;
  preBlock: Uint8Array;
  seq: Float64Array;
  rowId: Float64Array;
  /** Index in `pages` of the block's page (by path), -1 when no page row has its path. */
  page: Int32Array;
  slotOf(key: number): number;
};

/**
 * How a load shares the writer's thread and connections: `pin` runs the
 * start of its read transaction (search-model-cache.ts runs it between two
 * writes, so the cache knows which commits the snapshot holds); `step` is
 * awaited before each of its statements (a write under way pauses it);
 * `slices` lets the thread take other tasks between stretches of its JS.
 */
export type LoadSteps = { pin?: (start: () => Promise<void>) => Promise<void>; step?: () => Promise<void>; slices?: TimeSlices };

/**
 * Loads the model from one consistent snapshot of the index. `signal`: the
 * load gives up (rejects with its reason) at its next step once aborted.
 */
export async function loadSearchModel(connection: DuckDBConnection, signal?: AbortSignal, steps: LoadSteps = {}): Promise<SearchModel> {
  // DuckDB takes a transaction's snapshot at its first statement that reads a table, not at BEGIN.
  const start = async () => {
    await connection.run("BEGIN TRANSACTION");
    await connection.run("SELECT count(*) FROM blocks");
  };
  try {
    await (steps.pin ?? ((run) => run()))(start);
    const model = await readModel(connection, signal, steps.step, steps.slices);
    await connection.run("COMMIT");
    return model;
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function readModel(connection: DuckDBConnection, signal: AbortSignal | undefined, step = async () => {}, slices = new TimeSlices()): Promise<SearchModel> {
  // The thread answers searches meanwhile (they go through SQL until the model is loaded): the load's JS runs in slices.
  const columns = async (sql: string) => {
    await step();
    signal?.throwIfAborted();
    const read = await columnsInSlices(connection, sql, slices);
    signal?.throwIfAborted();
    return read;
  };

  // In term_hash order: a term's index there is its index in the posting lists.
  const [terms = [], dfs = [], hashes = []] = await columns(`SELECT term, df::DOUBLE, term_hash::VARCHAR FROM fts_terms ORDER BY term_hash`);
  const vocabulary = new Map<string, VocabularyEntry>();
  const termsByLength = new Map<number, string[]>();
  for (let i = 0; i < terms.length; i++) {
    if (i % PAUSE_EVERY === 0) await slices.pause();
    const term = terms[i] as string;
    vocabulary.set(term, { df: dfs[i] as number, hash: hashes[i] as string, index: i });
    const length = codePoints(term);
    let bucket = termsByLength.get(length);
    if (bucket === undefined) termsByLength.set(length, (bucket = []));
    bucket.push(term);
  }
  const sortedTerms = [...vocabulary.keys()].sort();

  // Pages in path order; blocks name their page by its position in that order (the same row_number).
  const pageRows = readPageRows(await columns(`SELECT ${PAGE_COLUMNS} FROM pages ORDER BY path`));
  // Slots in key order, as postings are stored (fts_postings by term, then block): ranking a
  // frequent term then walks its blocks' arrays in order, not at random (cache misses were most of its time).
  await step();
  const [keys = new Float64Array(), lengths = new Float64Array(), preBlocks = new Float64Array(), seqs = new Float64Array(), rowIds = new Float64Array(), pageIndexes = new Float64Array()] =
    await numberColumns(
      connection,
      `SELECT b.key::DOUBLE, b.length::DOUBLE, b.pre_block::DOUBLE, b.seq::DOUBLE, b.rowid::DOUBLE, coalesce(pg.i, -1)::DOUBLE FROM blocks b
       LEFT JOIN (SELECT path, row_number() OVER (ORDER BY path) - 1 AS i FROM pages) pg ON pg.path = b.path
       ORDER BY b.key`,
    );
  const [[documents = 0] = [], [avgLength = 1] = [], [lengthSum = 0] = []] = await columns(
    `SELECT count(*)::DOUBLE, greatest(avg(length), 1)::DOUBLE, coalesce(sum(length), 0)::DOUBLE FROM blocks`,
  );

  const count = keys.length;
  const blocks: ModelBlocks = {
    count,
    key: keys,
    length: lengths,
    preBlock: Uint8Array.from(preBlocks),
    seq: seqs,
    rowId: rowIds,
    page: Int32Array.from(pageIndexes),
    slotOf: slotIndex(keys),
  };

  signal?.throwIfAborted();
  const postings = await loadPostingLists(connection, hashes as string[], dfs as number[], blocks.slotOf, undefined, step, slices);
  signal?.throwIfAborted();

  const pages: ModelPage[] = pageRows.map((row) => modelPage(row, row.firstKey === null ? -1 : blocks.slotOf(row.firstKey)));
  await slices.pause();
  for (let slot = 0; slot < count; slot++) {
    const page = blocks.page[slot] as number;
    if (page >= 0) pages[page]?.blocks.push(slot);
  }
  const pagesByTitleWord = new Map<string, number[]>();
  const allPagesByTitleWord = new Map<string, number[]>();
  await slices.pause();
  for (let i = 0; i < pageRows.length; i++) {
    if (i % PAUSE_EVERY === 0) await slices.pause();
    indexTitleWords(pageRows[i] as PageRow, i, pagesByTitleWord, allPagesByTitleWord);
  }
  await slices.pause();
  return {
    vocabulary,
    postings,
    sortedTerms,
    termsByLength,
    addedTerms: [],
    addedByLength: new Map(),
    titleWords: [...allPagesByTitleWord.keys()].sort(),
    pages,
    pagesByTitleWord,
    allPagesByTitleWord,
    blocks,
    documents: documents as number,
    avgLength: avgLength as number,
    lengthSum: lengthSum as number,
  };
}

/** A page row as the model reads it (PAGE_COLUMNS): loaded whole, or added by a commit (search-model-refresh.ts). */
export type PageRow = {
  path: string;
  originalName: string;
  firstKey: number | null;
  /** Its name's and aliases' words, space-separated, as the SQL path splits them. */
  titleTokens: string;
  exactNames: string[];
  aliases: string[];
};

/** The columns of `pages` a model reads, in the order readPageRows takes them. */
export const PAGE_COLUMNS = `path, original_name, first_block_key::DOUBLE, title_tokens, strip_accents(name),
  list_transform(coalesce(aliases, []), a -> strip_accents(a)), coalesce(aliases, [])`;

export function readPageRows(columns: unknown[][]): PageRow[] {
  const [paths = [], names = [], firstKeys = [], tokenLists = [], exactNames = [], exactAliases = [], aliasLists = []] = columns;
  return paths.map((path, i) => ({
    path: path as string,
    originalName: names[i] as string,
    firstKey: firstKeys[i] as number | null,
    titleTokens: tokenLists[i] as string,
    exactNames: [exactNames[i] as string, ...((exactAliases[i] as { items: string[] } | null)?.items ?? [])],
    aliases: [...((aliasLists[i] as { items: string[] } | null)?.items ?? [])],
  }));
}

/** The model's page for a row, its first block at `firstBlock` (a slot, -1 for none), its blocks yet to be listed. */
export function modelPage(row: PageRow, firstBlock: number): ModelPage {
  return { path: row.path, originalName: row.originalName, firstBlock, exactNames: row.exactNames, aliases: row.aliases, blocks: [] };
}

/** Lists page `index` under each of its title words: in `all`, and in `ranked` when it has a first block. */
export function indexTitleWords(row: PageRow, index: number, ranked: Map<string, number[]>, all: Map<string, number[]>): void {
  const push = (map: Map<string, number[]>, word: string) => {
    const list = map.get(word);
    if (list === undefined) map.set(word, [index]);
    else list.push(index);
  };
  // string_split semantics: the SQL path splits title_tokens on single spaces.
  for (const word of new Set(row.titleTokens.split(" "))) {
    push(all, word);
    // As the SQL path's `titles`: only pages with a first block take part in ranking.
    if (row.firstKey !== null) push(ranked, word);
  }
}

/** Key → slot: an array indexed by key while keys are dense enough, else a map. */
export function slotIndex(keys: Float64Array): (key: number) => number {
  let max = -1;
  for (const key of keys) if (key > max) max = key;
  if (max < keys.length * 4 + 1024) {
    const slots = new Int32Array(max + 1).fill(-1);
    keys.forEach((key, slot) => (slots[key] = slot));
    return (key) => (Number.isInteger(key) && key >= 0 && key <= max ? (slots[key] as number) : -1);
  }
  const slots = new Map<number, number>();
  keys.forEach((key, slot) => slots.set(key, slot));
  return (key) => slots.get(key) ?? -1;
}

/** DuckDB's `length`: code points. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The index of the first item of a sorted array that is not below `value` (its length when none). */
export function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The items of a sorted array that start with `prefix`: one contiguous range. */
export function withPrefix(sorted: readonly string[], prefix: string): string[] {
  const lo = lowerBound(sorted, prefix);
  const out: string[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] as string).startsWith(prefix); i++) out.push(sorted[i] as string);
  return out;
}
