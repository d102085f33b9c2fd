import type { DuckDBConnection } from "@duckdb/node-api";
import { postingsOf, type Postings } from "./posting-lists.ts";
import { codePoints, lowerBound, type ModelBlocks, type ModelPage, type SearchModel, type Vocabulary, type VocabularyEntry } from "./search-model.ts";

/**
 * Keeps a loaded search model current after a small commit (issues #8, #11,
 * #12), instead of dropping it: until a new model was loaded (1-3 s of the
 * writer thread on a 20k-file graph, and only once the index had been
 * quiet for a second), every search took the SQL path, 35 ms after each
 * idle edit on 2,000 files and 100 ms or more on 20,000.
 *
 * The writer hands over what its commit changed (ModelDelta), collected
 * while its block diffs ran (DiffChanges): the keys of the blocks they
 * deleted and those blocks' postings per term, the new postings, the pages'
 * new first blocks; one small statement after the commit reads the new
 * blocks' rows (readModelDelta). The refreshed model computes df, the block
 * count and the mean length as the writer does, and shares the old one's
 * parts: new
 * blocks are appended into the same arrays while they have room, gone
 * blocks' slots are marked dead, the touched terms get their new df and
 * postings in a vocabulary layered over the loaded one, and the touched
 * pages their block lists. It answers every query as a freshly loaded model
 * would (test/index/search-model-refresh.test.ts).
 *
 * Only commits that leave page rows as they were are refreshed: block diffs
 * (incremental-write.ts) and files-row-only writes. Anything else (a new,
 * deleted, renamed or wholly rewritten page, a page that gains or loses its
 * first block) returns null: the model is dropped and loaded again, as before.
 */
export type ModelDelta = {
  /** Blocks the commit deleted. */
  goneKeys: readonly number[];
  /** How many postings each term (term_hash, decimal) lost with them. */
  gonePostings: ReadonlyMap<string, number>;
  /** Blocks the commit inserted (every key from the batch's first new key on). */
  blocks: { key: number; length: number; preBlock: boolean; seq: number; rowId: number; path: string }[];
  /** Their postings: term_hash (decimal), the term, block key, tf. */
  postings: { hash: string; term: string; key: number; tf: number }[];
  /** first_block_key of each page whose diff started at its first block (the others keep theirs), by path. */
  firstBlocks: ReadonlyMap<string, number | null>;
};

/**
 * A commit as the search model sees it (IndexWriter.takeModelDelta):
 * `refreshable` when a loaded model could follow it (it left page rows as
 * they were and was small), `delta` what it changed when one was loaded.
 */
export type CommittedChange = { refreshable: boolean; delta: ModelDelta | null };

/** A commit that inserts more blocks than this drops the model instead: a catch-up's batches, a large paste. */
export const REFRESH_MAX_BLOCKS = 20_000;
/** A model refreshed past this many appended blocks or touched terms since its load is loaded again (compacted). */
const MAX_APPENDED = 100_000;
const MAX_TOUCHED_TERMS = 50_000;

/**
 * What a commit changed, read after it (on the writer's connection, before
 * any other write, so the new blocks' row ids are final): the new blocks,
 * by key from `firstNewKey` (blocks are clustered by key: one small
 * statement); the rest comes from `changes`, collected while the diffs ran.
 */
export async function readModelDelta(c: DuckDBConnection, firstNewKey: bigint, changes: DiffChanges): Promise<ModelDelta> {
  const [keys = [], lengths = [], preBlocks = [], seqs = [], rowIds = [], paths = []] = (await c.runAndReadAll(
    `SELECT key::DOUBLE, length::DOUBLE, pre_block, seq::DOUBLE, rowid::DOUBLE, path FROM blocks WHERE key >= ${firstNewKey} ORDER BY key`,
  )).getColumns();
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
    postings: changes.postings ?? [],
    firstBlocks: changes.firstBlocks,
  };
}

/** What refreshes of one loaded model share and carry forward. */
type Lineage = {
  /** Slots by key of the blocks appended since the load (their keys are above every loaded one). */
  appended: Map<number, number>;
  /** 1 for a slot whose block is gone, by slot (as long as the blocks' arrays). */
  dead: Uint8Array;
  loadedMaxKey: number;
  loadedSlotOf: (key: number) => number;
  /** Page index by path (pages do not change within a lineage). */
  pageOf: Map<string, number>;
  /** Term by hash, for the terms whose rows are gone. */
  termOf: Map<string, string>;
  loadedVocabulary: Map<string, VocabularyEntry>;
};

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

type Refreshed = SearchModel & { lineage: Lineage; overlay: Map<string, VocabularyEntry | null> };

/**
 * A loaded model with what its refreshes share built now (every term by
 * hash, every page by path: 35 ms on 20,000 files), not at its first
 * refresh: the service's first edit after start-up waited for it (traced:
 * commit -> refreshed 35-38 ms, later edits 0.3 ms).
 */
export function readyForRefresh(model: SearchModel): SearchModel {
  if ((model as Partial<Refreshed>).lineage !== undefined) return model;
  const ready: Refreshed = { ...model, lineage: startLineage(model), overlay: new Map() };
  return ready;
}

/** The model as of the commit `delta` describes, or null when the model must be loaded again instead. */
export function refreshSearchModel(model: SearchModel, delta: ModelDelta): SearchModel | null {
  if (delta.blocks.length > REFRESH_MAX_BLOCKS) return null;
  const previous = model as Partial<Refreshed>;
  const lineage = previous.lineage ?? startLineage(model);
  if (lineage.appended.size + delta.blocks.length > MAX_APPENDED) return null;
  const overlay = new Map(previous.overlay ?? []);
  if (overlay.size + delta.gonePostings.size + delta.postings.length > MAX_TOUCHED_TERMS) return null;

  // Checked before anything shared is written: every gone block is one of the model's, every new one is new and has a page.
  const slotOfGone = delta.goneKeys.map((key) => slotIn(lineage, model.blocks.count, key));
  if (slotOfGone.some((slot) => slot < 0)) return null;
  for (const b of delta.blocks) if (!lineage.pageOf.has(b.path) || b.key <= lineage.loadedMaxKey || lineage.appended.has(b.key)) return null;

  // New slots: in the same arrays while they have room (no model reads past its own count), else in larger copies.
  // From here on, the old model's arrays change only past its count, and dead marks it may see only affect
  // searches this commit overtook (search-model-cache.ts answers those through SQL).
  let blocks: ModelBlocks = model.blocks;
  const count = blocks.count + delta.blocks.length;
  if (count > blocks.key.length) {
    blocks = grow(blocks, count + Math.max(4096, count >> 3));
    const dead = new Uint8Array(blocks.key.length);
    dead.set(lineage.dead);
    lineage.dead = dead;
  }
  const { dead, appended } = lineage;
  /** Each touched page's new slots (none for a page that only lost blocks). */
  const touchedPages = new Map<number, number[]>();
  let lengthSum = model.lengthSum;
  let slot = blocks.count;
  for (const b of delta.blocks) {
    const page = lineage.pageOf.get(b.path) as number;
    blocks.key[slot] = b.key;
    blocks.length[slot] = b.length;
    blocks.preBlock[slot] = b.preBlock ? 1 : 0;
    blocks.seq[slot] = b.seq;
    blocks.rowId[slot] = b.rowId;
    blocks.page[slot] = page;
    appended.set(b.key, slot);
    const slots = touchedPages.get(page);
    if (slots === undefined) touchedPages.set(page, [slot]);
    else slots.push(slot);
    lengthSum += b.length;
    slot++;
  }
  for (const gone of slotOfGone) {
    dead[gone] = 1;
    lengthSum -= blocks.length[gone] as number;
    const page = blocks.page[gone] as number;
    if (page >= 0 && !touchedPages.has(page)) touchedPages.set(page, []);
  }
  const refreshedBlocks: ModelBlocks = { ...blocks, count, slotOf: (key) => slotIn(lineage, count, key) };
  const documents = model.documents + delta.blocks.length - delta.goneKeys.length;

  // Touched terms: df as the writer keeps it (postings.ts updateDocumentFrequencies: minus the gone postings, plus
  // the new ones; a term at 0 leaves the vocabulary), postings the old list without gone blocks plus the new ones.
  const fresh = new Map<string, { term: string; slots: number[]; tf: number[] }>();
  for (const p of delta.postings) {
    let list = fresh.get(p.hash);
    if (list === undefined) fresh.set(p.hash, (list = { term: p.term, slots: [], tf: [] }));
    list.slots.push(appended.get(p.key) ?? -1);
    list.tf.push(p.tf);
  }
  /** Terms new to the vocabulary since the load: sorted into addedTerms once, not inserted one by one (a large paste). */
  const newTerms = new Set<string>();
  const addedByLength = new Map([...model.addedByLength].map(([length, terms]) => [length, [...terms]]));
  for (const hash of new Set([...delta.gonePostings.keys(), ...fresh.keys()])) {
    const added = fresh.get(hash);
    const term = lineage.termOf.get(hash) ?? added?.term;
    if (term === undefined || added?.slots.includes(-1)) return null;
    const before = model.vocabulary.get(term);
    const df = (before?.df ?? 0) - (delta.gonePostings.get(hash) ?? 0) + (added?.slots.length ?? 0);
    if (df < 0) return null;
    if (df === 0) {
      overlay.set(term, null);
      continue;
    }
    lineage.termOf.set(hash, term);
    const old = before === undefined ? emptyPostings : (before.list ?? (before.index < 0 ? undefined : postingsOf(model.postings, before.index)));
    const list = old === undefined ? undefined : merged(old, dead, added);
    // A list that does not add up to the df (a term whose loaded list was not whole) is read from the index.
    overlay.set(term, { df, hash, index: -1, ...(list !== undefined && list.slots.length === df ? { list } : {}) });
    if (before === undefined && !lineage.loadedVocabulary.has(term) && model.addedTerms[lowerBound(model.addedTerms, term)] !== term && !newTerms.has(term)) {
      newTerms.add(term);
      const length = codePoints(term);
      let bucket = addedByLength.get(length);
      if (bucket === undefined) addedByLength.set(length, (bucket = []));
      bucket.push(term);
    }
  }

  // Touched pages: their block lists without gone blocks, with new ones, and their first block as committed.
  const pages = [...model.pages];
  for (const [index, newSlots] of touchedPages) {
    const page = model.pages[index] as ModelPage;
    const firstKey = delta.firstBlocks.get(page.path);
    const firstBlock = firstKey === undefined ? page.firstBlock : firstKey === null ? -1 : slotIn(lineage, count, firstKey);
    // A page gaining or losing its first block enters or leaves the title matches (pagesByTitleWord): load again.
    if ((firstBlock < 0) !== (page.firstBlock < 0) || (firstBlock >= 0 && dead[firstBlock] === 1)) return null;
    pages[index] = { ...page, firstBlock, blocks: [...page.blocks.filter((s) => dead[s] !== 1), ...newSlots] };
  }

  const refreshed: Refreshed = {
    ...model,
    vocabulary: new LayeredVocabulary(lineage.loadedVocabulary, overlay),
    // Code-unit order, as sortedTerms and the `<` of lowerBound.
    addedTerms: newTerms.size === 0 ? model.addedTerms : [...model.addedTerms, ...newTerms].sort(),
    addedByLength,
    pages,
    blocks: refreshedBlocks,
    documents,
    lengthSum,
    // As SQL's greatest(avg(length), 1): the sum over the count, 1 for no blocks.
    avgLength: documents === 0 ? 1 : Math.max(lengthSum / documents, 1),
    lineage,
    overlay,
  };
  return refreshed;
}

const emptyPostings: Postings = { slots: new Int32Array(0), tf: new Int32Array(0) };

/** `old` without dead slots, then `fresh`. */
function merged(old: Postings, dead: Uint8Array, fresh: { slots: number[]; tf: number[] } | undefined): Postings {
  const n = old.slots.length + (fresh?.slots.length ?? 0);
  const slots = new Int32Array(n);
  const tf = new Int32Array(n);
  let at = 0;
  for (let i = 0; i < old.slots.length; i++) {
    const slot = old.slots[i] as number;
    if (dead[slot] === 1) continue;
    slots[at] = slot;
    tf[at++] = old.tf[i] as number;
  }
  if (fresh !== undefined) {
    slots.set(fresh.slots, at);
    tf.set(fresh.tf, at);
    at += fresh.slots.length;
  }
  return { slots: slots.subarray(0, at), tf: tf.subarray(0, at) };
}

function slotIn(lineage: Lineage, count: number, key: number): number {
  const slot = key <= lineage.loadedMaxKey ? lineage.loadedSlotOf(key) : (lineage.appended.get(key) ?? -1);
  return slot >= 0 && slot < count && lineage.dead[slot] !== 1 ? slot : -1;
}

function startLineage(model: SearchModel): Lineage {
  const { blocks } = model;
  let loadedMaxKey = -1;
  for (let slot = 0; slot < blocks.count; slot++) loadedMaxKey = Math.max(loadedMaxKey, blocks.key[slot] as number);
  const termOf = new Map<string, string>();
  const loadedVocabulary = model.vocabulary as Map<string, VocabularyEntry>;
  for (const [term, entry] of loadedVocabulary) termOf.set(entry.hash, term);
  return {
    appended: new Map(),
    dead: new Uint8Array(blocks.key.length),
    loadedMaxKey,
    loadedSlotOf: blocks.slotOf,
    pageOf: new Map(model.pages.map((page, i) => [page.path, i])),
    termOf,
    loadedVocabulary,
  };
}

/** Copies of the blocks' arrays with room for `capacity` slots. */
function grow(blocks: ModelBlocks, capacity: number): ModelBlocks {
  const copy = <T extends Float64Array | Uint8Array | Int32Array>(from: T, make: (n: number) => T): T => {
    const to = make(capacity);
    to.set(from.subarray(0, blocks.count) as never);
    return to;
  };
  return {
    ...blocks,
    key: copy(blocks.key, (n) => new Float64Array(n)),
    length: copy(blocks.length, (n) => new Float64Array(n)),
    preBlock: copy(blocks.preBlock, (n) => new Uint8Array(n)),
    seq: copy(blocks.seq, (n) => new Float64Array(n)),
    rowId: copy(blocks.rowId, (n) => new Float64Array(n)),
    page: copy(blocks.page, (n) => new Int32Array(n)),
  };
}

/** The loaded vocabulary with the refreshed terms over it (null: the term left the vocabulary). */
class LayeredVocabulary implements Vocabulary {
  readonly #loaded: Map<string, VocabularyEntry>;
  readonly #overlay: Map<string, VocabularyEntry | null>;

  constructor(loaded: Map<string, VocabularyEntry>, overlay: Map<string, VocabularyEntry | null>) {
    this.#loaded = loaded;
    this.#overlay = overlay;
  }

  get(term: string): VocabularyEntry | undefined {
    const over = this.#overlay.get(term);
    return over === null ? undefined : (over ?? this.#loaded.get(term));
  }

  *[Symbol.iterator](): IterableIterator<[string, VocabularyEntry]> {
    for (const [term, entry] of this.#overlay) if (entry !== null) yield [term, entry];
    for (const [term, entry] of this.#loaded) if (!this.#overlay.has(term)) yield [term, entry];
  }

  *values(): IterableIterator<VocabularyEntry> {
    for (const [, entry] of this) yield entry;
  }
}
