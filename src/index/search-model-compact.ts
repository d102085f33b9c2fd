import { postingsOf, type PostingLists } from "./posting-lists.ts";
import { PAUSE_EVERY, type TimeSlices } from "./time-slices.ts";
import { codePoints, slotIndex, type ModelBlocks, type ModelPage, type SearchModel, type VocabularyEntry } from "./search-model.ts";

/**
 * A refreshed search model (search-model-refresh.ts) as flat as a loaded
 * one, without reading the index: live blocks in new slots (in slot order,
 * which is key order: appended blocks have the highest keys), every term's
 * postings in one PostingLists, the vocabulary a plain Map with every term
 * sorted and by length again. Refreshes layer touched terms over the loaded
 * vocabulary, map appended keys to slots and scan the terms added since the
 * load for typos: each grows with the refreshes, so a model that followed a
 * catch-up of thousands of new files (issue #8) is compacted from time to
 * time instead of loaded again, which took the writer thread 1-3 s on
 * 20,000 files and left searches to SQL meanwhile. `dead`: 1 for a slot
 * whose block is gone.
 */
export function compactModel(model: SearchModel, dead?: Uint8Array): SearchModel {
  const steps = compactSteps(model, dead);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * `compactModel` letting the thread take other tasks between its stretches
 * (time-slices.ts): the service compacts the model that followed its
 * catch-up while searches go on, and a 20,000-file model took 1.35 s of the
 * writer thread in one piece (a search arriving then waited 1.15 s).
 */
export async function compactModelInSlices(model: SearchModel, dead: Uint8Array | undefined, slices: TimeSlices): Promise<SearchModel> {
  const steps = compactSteps(model, dead);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    await slices.pause();
  }
}

/** The compaction; it yields where it may pause. */
function* compactSteps(model: SearchModel, dead?: Uint8Array): Generator<void, SearchModel> {
  const { blocks: old } = model;
  const newSlot = new Int32Array(old.count).fill(-1);
  let count = 0;
  for (let slot = 0; slot < old.count; slot++) if (dead?.[slot] !== 1) newSlot[slot] = count++;
  const blocks: ModelBlocks = {
    count,
    key: new Float64Array(count),
    length: new Float64Array(count),
    preBlock: new Uint8Array(count),
    seq: new Float64Array(count),
    rowId: new Float64Array(count),
    page: new Int32Array(count),
    slotOf: () => -1,
  };
  for (let slot = 0; slot < old.count; slot++) {
    if (slot % PAUSE_EVERY === 0) yield;
    const to = newSlot[slot] as number;
    if (to < 0) continue;
    blocks.key[to] = old.key[slot] as number;
    blocks.length[to] = old.length[slot] as number;
    blocks.preBlock[to] = old.preBlock[slot] as number;
    blocks.seq[to] = old.seq[slot] as number;
    blocks.rowId[to] = old.rowId[slot] as number;
    blocks.page[to] = old.page[slot] as number;
  }
  blocks.slotOf = slotIndex(blocks.key);

  // Every term with its df; its postings where the model holds them whole (else read from the index, as after a load).
  const terms: { term: string; entry: VocabularyEntry }[] = [];
  let total = 0;
  for (const [term, entry] of model.vocabulary) {
    if (terms.length % PAUSE_EVERY === 0) yield;
    terms.push({ term, entry });
    total += entry.df;
  }
  const postings: PostingLists = {
    start: new Int32Array(terms.length + 1),
    complete: new Uint8Array(terms.length),
    slots: new Int32Array(total),
    tf: new Uint16Array(total),
  };
  const vocabulary = new Map<string, VocabularyEntry>();
  const termsByLength = new Map<number, string[]>();
  let at = 0;
  for (let i = 0; i < terms.length; i++) {
    // A term's postings are copied in one piece: the most frequent word's 170,000 in about a millisecond.
    if (i % 1024 === 0) yield;
    const { term, entry } = terms[i] as { term: string; entry: VocabularyEntry };
    postings.start[i] = at;
    const list = entry.list ?? (entry.index < 0 ? undefined : postingsOf(model.postings, entry.index));
    let whole = list !== undefined && list.slots.length === entry.df;
    for (let p = 0; whole && p < (list?.slots.length ?? 0); p++) {
      const slot = newSlot[list?.slots[p] as number] ?? -1;
      const tf = list?.tf[p] as number;
      if (slot < 0 || tf > 0xffff) whole = false;
      postings.slots[at + p] = slot;
      postings.tf[at + p] = tf;
    }
    postings.complete[i] = whole ? 1 : 0;
    at += entry.df;
    vocabulary.set(term, { df: entry.df, hash: entry.hash, index: i });
    const length = codePoints(term);
    let bucket = termsByLength.get(length);
    if (bucket === undefined) termsByLength.set(length, (bucket = []));
    bucket.push(term);
  }
  postings.start[terms.length] = at;

  const pages: ModelPage[] = [];
  for (const page of model.pages) {
    if (pages.length % PAUSE_EVERY === 0) yield;
    pages.push({
      ...page,
      firstBlock: page.firstBlock < 0 ? -1 : (newSlot[page.firstBlock] as number),
      blocks: page.blocks.flatMap((slot) => ((newSlot[slot] as number) < 0 ? [] : [newSlot[slot] as number])),
    });
  }
  yield;
  const sortedTerms = [...vocabulary.keys()].sort();
  yield;
  return {
    vocabulary,
    postings,
    sortedTerms,
    termsByLength,
    addedTerms: [],
    addedByLength: new Map(),
    titleWords: model.titleWords,
    pages,
    pagesByTitleWord: model.pagesByTitleWord,
    allPagesByTitleWord: model.allPagesByTitleWord,
    blocks,
    documents: model.documents,
    avgLength: model.avgLength,
    lengthSum: model.lengthSum,
  };
}
