import type { ModelDelta } from "./model-delta.ts";
import { postingsOf } from "./posting-lists.ts";
import { byBytes } from "./search-memory.ts";
import { compactModel, compactModelInSlices } from "./search-model-compact.ts";
import type { TimeSlices } from "./time-slices.ts";
import {
  AppendedKeys, VersionedVocabulary, appendedTo, emptyPostings, grow, merged, slotIn, startLineage, type Lineage, type VersionedEntry,
} from "./search-model-lineage.ts";
import {
  codePoints, indexTitleWords, modelPage,
  type ModelBlocks, type ModelPage, type PageRow, type SearchModel,
} from "./search-model.ts";

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
 * Commits that leave page rows as they were are refreshed (block diffs,
 * incremental-write.ts, and files-row-only writes), and so are commits that
 * add pages for paths the index had none for (a new page, new files found
 * by a catch-up, a first full index's bulk load: index-writer.ts). New
 * pages take their places in path order (pages are numbered in it, and ties
 * rank by it). Anything else (a deleted, renamed or wholly rewritten
 * page, a page that gains or loses its first block) returns null: the model
 * is dropped and loaded again, as before. A model whose refreshes appended
 * many blocks or touched many terms is compacted (search-model-compact.ts):
 * the same answers from flat arrays again, without reading the index.
 */
/**
 * A commit that inserts more blocks than this drops the model instead (a
 * huge paste): a catch-up's batches stay under it (batch.maxBlocks, 20,000
 * by default, plus the last file's).
 */
export const REFRESH_MAX_BLOCKS = 100_000;
/** A model refreshed past this many appended blocks or touched terms since its load or compaction is compacted (tests pass fewer). */
export type RefreshLimits = { maxAppended: number; maxTouchedTerms: number };
const LIMITS: RefreshLimits = { maxAppended: 500_000, maxTouchedTerms: 200_000 };


type Refreshed = SearchModel & { lineage: Lineage; version: number };

/**
 * A loaded model with what its refreshes share built now (every term by
 * hash, every page by path: 35 ms on 20,000 files), not at its first
 * refresh: the service's first edit after start-up waited for it (traced:
 * commit -> refreshed 35-38 ms, later edits 0.3 ms).
 */
export function readyForRefresh(model: SearchModel): SearchModel {
  if ((model as Partial<Refreshed>).lineage !== undefined) return model;
  // Its own vocabulary (a Map) stays: refreshes layer the terms they touch over it.
  const ready: Refreshed = { ...model, lineage: startLineage(model), version: 0 };
  return ready;
}

/**
 * A model flat again if refreshes layered anything on it since its load (a
 * catch-up it followed), ready for the next refresh: the service calls this
 * once its catch-up is done, beside the checkpoint, so the typo scan of the
 * terms added since the load does not stay with every later search.
 */
export async function compacted(model: SearchModel, slices: TimeSlices): Promise<SearchModel> {
  const { lineage } = model as Partial<Refreshed>;
  if (lineage === undefined || (lineage.appended.size === 0 && lineage.vocabulary.size === 0)) return model;
  return readyForRefresh(await compactModelInSlices(model, lineage.dead, slices));
}

/** The model as of the commit `delta` describes, or null when the model must be loaded again instead. */
export function refreshSearchModel(model: SearchModel, delta: ModelDelta, limits: RefreshLimits = LIMITS): SearchModel | null {
  const steps = refreshSteps(model, delta);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value === null ? null : withinLimits(step.value, limits);
  }
}

/**
 * refreshSearchModel with `slices` pausing it (time-slices.ts), for a commit
 * that adds many blocks and deletes none (a catch-up's batch: about 100 ms of
 * the writer thread in one stretch on 1,024 files, which every search then
 * waited for). The model before stays whole meanwhile and can answer
 * searches: the refresh writes its shared parts only past what that model
 * reads (its block count, its vocabulary version). A model past its limits
 * is compacted in slices too.
 */
export async function refreshSearchModelInSlices(model: SearchModel, delta: ModelDelta, slices: TimeSlices, limits: RefreshLimits = LIMITS): Promise<SearchModel | null> {
  const steps = refreshSteps(model, delta);
  for (;;) {
    const step = steps.next();
    if (step.done) {
      const refreshed = step.value;
      if (refreshed === null || !pastLimits(refreshed, limits)) return refreshed;
      return compactModelInSlices(refreshed, refreshed.lineage.dead, slices);
    }
    await slices.pause();
  }
}

/** Whether a refresh may run in slices: it adds at least this many blocks and deletes none (search-model-cache.ts). */
export const SLICED_REFRESH_MIN_BLOCKS = 2000;

function pastLimits(model: Refreshed, limits: RefreshLimits): boolean {
  return model.lineage.appended.size > limits.maxAppended || model.lineage.vocabulary.size > limits.maxTouchedTerms;
}

/** Many refreshes since the load: flat arrays again (the typo scan of added terms, the block arrays' copies grow). */
function withinLimits(model: Refreshed, limits: RefreshLimits): SearchModel {
  return pastLimits(model, limits) ? compactModel(model, model.lineage.dead) : model;
}

/** Items of a refresh's loops between the points where it may pause (refreshSearchModelInSlices). */
const STEP = 1024;

/** The refresh, as steps: it yields where it may pause. */
function* refreshSteps(model: SearchModel, delta: ModelDelta): Generator<void, Refreshed | null, void> {
  if (delta.blocks.length > REFRESH_MAX_BLOCKS) return null;
  const previous = model as Partial<Refreshed>;
  const lineage = previous.lineage ?? startLineage(model);
  // Only the lineage's latest model is refreshed: the shared vocabulary holds its entries.
  if ((previous.version ?? 0) !== lineage.version) return null;
  const version = lineage.version + 1;
  // Poisoned until this refresh completes: one that returns null midway has written shared parts, and the
  // lineage is not refreshed again (the model is dropped).
  lineage.version = -1;

  // Checked before anything shared is written: every gone block is one of the model's, every new one is new and
  // has a page, every new page is new.
  const slotOfGone = delta.goneKeys.map((key) => slotIn(lineage, model.blocks.count, key));
  if (slotOfGone.some((slot) => slot < 0)) return null;
  const addedPaths = new Set(delta.pages.map((page) => page.path));
  if (addedPaths.size !== delta.pages.length || delta.pages.some((page) => lineage.pageOf.has(page.path))) return null;
  for (let i = 0; i < delta.blocks.length; i++) {
    const b = delta.blocks[i] as ModelDelta["blocks"][number];
    if (!(lineage.pageOf.has(b.path) || addedPaths.has(b.path)) || b.key <= lineage.loadedMaxKey) return null;
    if (i % STEP === STEP - 1) yield;
  }
  // Appended in key order after the blocks appended before (the writer's keys only grow): a key's slot is a binary search.
  if ((delta.blocks[0]?.key ?? Infinity) <= lineage.appended.last) return null;

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
  // New pages renumber the pages after them: the blocks' page indexes in a copy, the title words' lists anew.
  const titles = delta.pages.length === 0 ? null : addPages(model, lineage, delta.pages);
  if (titles !== null) blocks = { ...blocks, page: titles.blockPages(blocks.page) };
  const modelPages = titles?.pages ?? model.pages;
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
    appended.push(b.key);
    const slots = touchedPages.get(page);
    if (slots === undefined) touchedPages.set(page, [slot]);
    else slots.push(slot);
    lengthSum += b.length;
    slot++;
    if (slot % STEP === 0) yield;
  }
  for (const gone of slotOfGone) {
    dead[gone] = 1;
    lengthSum -= blocks.length[gone] as number;
    const page = blocks.page[gone] as number;
    if (page >= 0 && !touchedPages.has(page)) touchedPages.set(page, []);
  }
  const refreshedBlocks: ModelBlocks = { ...blocks, count, slotOf: (key) => slotIn(lineage, count, key) };
  const documents = model.documents + delta.blocks.length - delta.goneKeys.length;

  /** Each touched term's new postings (every one of them names a new block: else the model cannot follow). */
  const fresh: { hash: string; term: string; slots: ArrayLike<number>; tf: ArrayLike<number> }[] = [];
  const newSlotOf = deltaSlots(delta, count - delta.blocks.length, appended);
  if (delta.postings.length > 0) {
    const byHash = new Map<string, { hash: string; term: string; slots: number[]; tf: number[] }>();
    for (const p of delta.postings) {
      let list = byHash.get(p.hash);
      if (list === undefined) byHash.set(p.hash, (list = { hash: p.hash, term: p.term, slots: [], tf: [] }));
      const slot = newSlotOf(p.key);
      if (slot < 0) return null;
      list.slots.push(slot);
      list.tf.push(p.tf);
    }
    fresh.push(...byHash.values());
  }
  // Every term's new postings in two arrays, a view of them per term (thousands of terms per catch-up commit).
  const { keys: termKeys, tf: termTf } = delta.termPostings;
  const allSlots = new Int32Array(termKeys.length);
  const allTf = new Int32Array(termKeys.length);
  for (let at = 0; at < termKeys.length; at++) {
    const slot = newSlotOf(termKeys[at] as number);
    if (slot < 0) return null;
    allSlots[at] = slot;
    allTf[at] = termTf[at] as number;
    if (at % (16 * STEP) === 16 * STEP - 1) yield;
  }
  let at = 0;
  for (const t of delta.termPostings.terms) {
    fresh.push({ hash: t.hash, term: t.term, slots: allSlots.subarray(at, at + t.count), tf: allTf.subarray(at, at + t.count) });
    at += t.count;
  }
  if (at !== termKeys.length) return null;
  // Touched terms: df as the writer keeps it (postings.ts updateDocumentFrequencies: minus the gone postings, plus
  // the new ones; a term at 0 leaves the vocabulary), postings the old list without gone blocks plus the new ones.
  // Set in the shared vocabulary under this refresh's version: a catch-up's commit touches about 11,000 terms, and
  // copying a layer of every term touched since the load took more of its refresh than the terms themselves.
  /** Terms new to the vocabulary since the load: sorted into addedTerms once, not inserted one by one (a large paste). */
  const newTerms: string[] = [];
  const { vocabulary, loaded, termOf, addedByLength } = lineage;
  const touch = (hash: string, term: string | undefined, added: { slots: ArrayLike<number>; tf: ArrayLike<number> } | undefined): boolean => {
    if (term === undefined) return false;
    const current = vocabulary.get(term) ?? (loaded.get(term) as VersionedEntry | undefined);
    const before = current !== undefined && current.df > 0 ? current : undefined;
    const gone = delta.gonePostings.size === 0 ? 0 : (delta.gonePostings.get(hash) ?? 0);
    const df = (before?.df ?? 0) - gone + (added?.slots.length ?? 0);
    if (df < 0) return false;
    // A loaded entry is not chained: a model older than the term's first refresh reads `loaded`.
    const touchedBefore = current?.version !== undefined;
    let entry: VersionedEntry = { df, hash, index: -1, version, previous: touchedBefore ? current : undefined };
    if (df > 0) {
      const old = before === undefined ? emptyPostings : (before.list ?? (before.index < 0 ? undefined : postingsOf(model.postings, before.index)));
      // Lists only lose blocks with their terms' gone postings: a term with none has no dead slot, its new postings go on the end.
      if (old !== undefined) {
        if (gone > 0 || added === undefined) entry.list = merged(old, dead, added);
        // A new term's list is its new postings as they are.
        else if (old.slots.length === 0 && added.slots instanceof Int32Array && added.tf instanceof Int32Array) entry.list = { slots: added.slots, tf: added.tf };
        else entry = appendedTo(entry, before, old, added);
        // A list that does not add up to the df (a term whose loaded list was not whole) is read from the index.
        if (entry.list !== undefined && entry.list.slots.length !== df) delete entry.list;
      }
    }
    // The model before reads `current`; older ones are not searched again.
    if (touchedBefore && current !== undefined) current.previous = undefined;
    if (current === undefined) {
      newTerms.push(term);
      termOf.set(hash, term);
      const length = codePoints(term);
      let bucket = addedByLength.get(length);
      if (bucket === undefined) addedByLength.set(length, (bucket = []));
      bucket.push(term);
    }
    vocabulary.set(term, entry);
    return true;
  };
  for (let i = 0; i < fresh.length; i++) {
    const added = fresh[i] as (typeof fresh)[number];
    if (!touch(added.hash, added.term, added)) return null;
    if (i % STEP === STEP - 1) yield;
  }
  if (delta.gonePostings.size > 0) {
    const gained = new Set(fresh.map((added) => added.hash));
    for (const hash of delta.gonePostings.keys()) if (!gained.has(hash) && !touch(hash, termOf.get(hash), undefined)) return null;
  }

  // Touched pages: their block lists without gone blocks, with new ones, and their first block as committed.
  const pages = [...modelPages];
  for (const [index, newSlots] of touchedPages) {
    const page = pages[index] as ModelPage;
    const firstKey = delta.firstBlocks.get(page.path);
    const firstBlock = firstKey === undefined ? page.firstBlock : firstKey === null ? -1 : slotIn(lineage, count, firstKey);
    // A page gaining or losing its first block enters or leaves the title matches (pagesByTitleWord): load again.
    if ((firstBlock < 0) !== (page.firstBlock < 0) || (firstBlock >= 0 && dead[firstBlock] === 1)) return null;
    pages[index] = { ...page, firstBlock, blocks: [...page.blocks.filter((s) => dead[s] !== 1), ...newSlots] };
  }
  // A new page's first block is one of the slots just appended.
  for (const row of delta.pages) {
    const index = lineage.pageOf.get(row.path) as number;
    const firstBlock = row.firstKey === null ? -1 : slotIn(lineage, count, row.firstKey);
    if ((firstBlock < 0) !== (row.firstKey === null)) return null;
    pages[index] = { ...modelPage(row, firstBlock), blocks: touchedPages.get(index) ?? [] };
  }

  const refreshed: Refreshed = {
    ...model,
    ...(titles === null ? {} : { titleWords: titles.titleWords, pagesByTitleWord: titles.ranked, allPagesByTitleWord: titles.all }),
    vocabulary: new VersionedVocabulary(loaded, vocabulary, version),
    // Code-unit order, as sortedTerms and the `<` of lowerBound.
    addedTerms: newTerms.length === 0 ? model.addedTerms : mergeSorted(model.addedTerms, newTerms.sort()),
    // Shared and only appended to: an older model's vocabulary lacks the terms added after it, and says so.
    addedByLength,
    pages,
    blocks: refreshedBlocks,
    documents,
    lengthSum,
    // As SQL's greatest(avg(length), 1): the sum over the count, 1 for no blocks.
    avgLength: documents === 0 ? 1 : Math.max(lengthSum / documents, 1),
    lineage,
    version,
  };
  lineage.version = version;
  return refreshed;
}

/**
 * New pages in path order among the model's (DuckDB's order: code points):
 * the new page list (new pages as placeholders, filled by the caller),
 * `lineage.pageOf` renumbered, the title words' lists with the new indexes,
 * and a function renumbering the blocks' page indexes into a copy (the
 * shared arrays stay the old model's).
 */
function addPages(model: SearchModel, lineage: Lineage, rows: readonly PageRow[]): {
  pages: ModelPage[];
  blockPages: (page: Int32Array) => Int32Array;
  titleWords: string[];
  ranked: Map<string, number[]>;
  all: Map<string, number[]>;
} {
  const added = [...rows].sort((a, b) => byBytes(a.path, b.path));
  const renumbered = new Int32Array(model.pages.length);
  const pages: ModelPage[] = [];
  const indexOf = new Map<PageRow, number>();
  for (let i = 0, j = 0; i < model.pages.length || j < added.length; ) {
    const old = model.pages[i];
    const row = added[j];
    if (row !== undefined && (old === undefined || byBytes(row.path, old.path) < 0)) {
      indexOf.set(row, pages.length);
      pages.push(modelPage(row, -1));
      j++;
    } else {
      renumbered[i++] = pages.length;
      pages.push(old as ModelPage);
    }
  }
  lineage.pageOf = new Map(pages.map((page, i) => [page.path, i]));
  const renumber = (map: Map<string, number[]>) => new Map([...map].map(([word, list]) => [word, list.map((i) => renumbered[i] as number)]));
  const ranked = renumber(model.pagesByTitleWord);
  const all = renumber(model.allPagesByTitleWord);
  for (const [row, index] of indexOf) indexTitleWords(row, index, ranked, all);
  // As loaded: each word's pages in index order (ranking walks them), every word sorted.
  const words = new Set(added.flatMap((row) => row.titleTokens.split(" ")));
  for (const word of words) {
    ranked.get(word)?.sort((a, b) => a - b);
    all.get(word)?.sort((a, b) => a - b);
  }
  const newWords = [...words].filter((word) => !model.allPagesByTitleWord.has(word)).sort();
  return {
    pages,
    titleWords: newWords.length === 0 ? model.titleWords : mergeSorted(model.titleWords, newWords),
    ranked,
    all,
    blockPages: (page) => {
      const copy = new Int32Array(page.length);
      for (let slot = 0; slot < model.blocks.count; slot++) {
        const index = page[slot] as number;
        copy[slot] = index < 0 ? index : (renumbered[index] as number);
      }
      return copy;
    },
  };
}

/** Two arrays sorted by `<` as one (code units, as sortedTerms). */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (b[j] as string) < (a[i] as string) ? (b[j++] as string) : (a[i++] as string);
  while (i < a.length) out[k++] = a[i++] as string;
  while (j < b.length) out[k++] = b[j++] as string;
  return out;
}

/**
 * The slot of a key among the delta's blocks, appended from `firstSlot`: by
 * arithmetic when their keys are consecutive (a commit's new blocks almost
 * always are), else a binary search of the appended keys.
 */
function deltaSlots(delta: ModelDelta, firstSlot: number, appended: AppendedKeys): (key: number) => number {
  const n = delta.blocks.length;
  const firstKey = delta.blocks[0]?.key ?? 0;
  if (n > 0 && (delta.blocks[n - 1] as ModelDelta["blocks"][number]).key - firstKey === n - 1) {
    return (key) => (key >= firstKey && key < firstKey + n && Number.isInteger(key) ? firstSlot + key - firstKey : -1);
  }
  return (key) => appended.slotOf(key);
}
