import type { Postings } from "./posting-lists.ts";
import type { ModelBlocks, SearchModel, Vocabulary, VocabularyEntry } from "./search-model.ts";

/**
 * What the refreshes of one loaded search model share and carry forward
 * (search-model-refresh.ts): the slots of the blocks appended since the
 * load, the dead ones, pages by path, terms by hash, and the terms touched
 * since the load in one versioned map over the loaded vocabulary. Each
 * refreshed model reads the state of its own refresh: shared parts only
 * grow past what older models read, or keep the entries they read.
 */
export type Lineage = {
  /** The blocks appended since the load (their keys are above every loaded one). */
  appended: AppendedKeys;
  /** 1 for a slot whose block is gone, by slot (as long as the blocks' arrays). */
  dead: Uint8Array;
  loadedMaxKey: number;
  loadedSlotOf: (key: number) => number;
  /** Page index by path (renumbered when pages are added). */
  pageOf: Map<string, number>;
  /** Term by hash, for the terms whose rows are gone. */
  termOf: Map<string, string>;
  /** The loaded vocabulary, never written. */
  loaded: Map<string, VocabularyEntry>;
  /**
   * The latest entry of every term touched since the load, shared by the lineage's models
   * (VersionedVocabulary: over `loaded`). A term that left the vocabulary keeps an entry of df 0.
   */
  vocabulary: Map<string, VersionedEntry>;
  /** The latest refresh's number: each model reads the entries of its own version or older. */
  version: number;
  /** The terms added since the load, by length (shared, append-only). */
  addedByLength: Map<number, string[]>;
};

/**
 * A term's entry as set by refresh `version` (from 1), with the entry it
 * replaced if a refresh had set that one (else the model before reads the
 * loaded vocabulary); older models are never searched again (a commit that
 * overtakes a search sends it to SQL). `buffer`: its
 * postings with room to grow, when its refreshes only added postings.
 */
export type VersionedEntry = VocabularyEntry & { version: number; previous: VersionedEntry | undefined; buffer?: PostingBuffer };

/** A term's postings with room to grow: `length` of them are the latest list. */
type PostingBuffer = { slots: Int32Array; tf: Int32Array; length: number };

/**
 * `entry` with `old` then `fresh` as its list, in the term's buffer: in
 * place when `old` is the latest list of `before`'s buffer and there is room
 * (the older lists are views of its start, which does not change), else in a
 * new buffer half as large again. A catch-up then copies each list about
 * twice in all, instead of at every commit.
 */
export function appendedTo(entry: VersionedEntry, before: VersionedEntry | undefined, old: Postings, fresh: { slots: ArrayLike<number>; tf: ArrayLike<number> }): VersionedEntry {
  const n = old.slots.length + fresh.slots.length;
  let buffer = before?.buffer;
  const inPlace = buffer !== undefined && buffer.slots.buffer === old.slots.buffer && old.slots.byteOffset === 0 &&
    buffer.length === old.slots.length && n <= buffer.slots.length;
  if (!inPlace || buffer === undefined) {
    const capacity = Math.max(8, n + (n >> 1));
    buffer = { slots: new Int32Array(capacity), tf: new Int32Array(capacity), length: 0 };
    buffer.slots.set(old.slots);
    buffer.tf.set(old.tf);
  }
  buffer.slots.set(fresh.slots, old.slots.length);
  buffer.tf.set(fresh.tf, old.slots.length);
  buffer.length = n;
  entry.buffer = buffer;
  entry.list = { slots: buffer.slots.subarray(0, n), tf: buffer.tf.subarray(0, n) };
  return entry;
}

/**
 * The keys of the blocks appended since the load, in slot order from slot
 * `first`, which is key order: a lookup is a binary search, not a map of
 * hundreds of thousands of keys filled during a catch-up. Shared by a
 * lineage's models: it only grows past their counts.
 */
export class AppendedKeys {
  #keys = new Float64Array(1024);
  size = 0;
  readonly first: number;

  constructor(first: number) {
    this.first = first;
  }

  get last(): number {
    return this.size === 0 ? -Infinity : (this.#keys[this.size - 1] as number);
  }

  push(key: number): void {
    if (this.size === this.#keys.length) {
      const grown = new Float64Array(this.#keys.length * 2);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    this.#keys[this.size++] = key;
  }

  /** The slot of an appended block's key, -1 for none. */
  slotOf(key: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.size && this.#keys[lo] === key ? this.first + lo : -1;
  }
}

export const emptyPostings: Postings = { slots: new Int32Array(0), tf: new Int32Array(0) };

/** `old` without dead slots, then `fresh`. */
export function merged(old: Postings, dead: Uint8Array, fresh: { slots: ArrayLike<number>; tf: ArrayLike<number> } | undefined): Postings {
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

export function slotIn(lineage: Lineage, count: number, key: number): number {
  const slot = key <= lineage.loadedMaxKey ? lineage.loadedSlotOf(key) : lineage.appended.slotOf(key);
  return slot >= 0 && slot < count && lineage.dead[slot] !== 1 ? slot : -1;
}

export function startLineage(model: SearchModel): Lineage {
  const { blocks } = model;
  let loadedMaxKey = -1;
  for (let slot = 0; slot < blocks.count; slot++) loadedMaxKey = Math.max(loadedMaxKey, blocks.key[slot] as number);
  const termOf = new Map<string, string>();
  for (const [term, entry] of model.vocabulary) termOf.set(entry.hash, term);
  return {
    appended: new AppendedKeys(blocks.count),
    loaded: model.vocabulary as Map<string, VocabularyEntry>,
    vocabulary: new Map(),
    version: 0,
    addedByLength: new Map([...model.addedByLength].map(([length, terms]) => [length, [...terms]])),
    dead: new Uint8Array(blocks.key.length),
    loadedMaxKey,
    loadedSlotOf: blocks.slotOf,
    pageOf: new Map(model.pages.map((page, i) => [page.path, i])),
    termOf,
  };
}

/** Copies of the blocks' arrays with room for `capacity` slots. */
export function grow(blocks: ModelBlocks, capacity: number): ModelBlocks {
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

/**
 * A lineage's vocabulary as of one refresh: each touched term's entry of
 * that version or the latest older one, else the loaded entry.
 */
export class VersionedVocabulary implements Vocabulary {
  readonly #loaded: Map<string, VocabularyEntry>;
  readonly #touched: Map<string, VersionedEntry>;
  readonly #version: number;

  constructor(loaded: Map<string, VocabularyEntry>, touched: Map<string, VersionedEntry>, version: number) {
    this.#loaded = loaded;
    this.#touched = touched;
    this.#version = version;
  }

  get(term: string): VocabularyEntry | undefined {
    let entry = this.#touched.get(term);
    while (entry !== undefined && entry.version > this.#version) entry = entry.previous;
    if (entry === undefined) return this.#loaded.get(term);
    return entry.df === 0 ? undefined : entry;
  }

  *[Symbol.iterator](): IterableIterator<[string, VocabularyEntry]> {
    for (const term of this.#touched.keys()) {
      const entry = this.get(term);
      if (entry !== undefined) yield [term, entry];
    }
    for (const [term, entry] of this.#loaded) if (!this.#touched.has(term)) yield [term, entry];
  }

  *values(): IterableIterator<VocabularyEntry> {
    for (const [, entry] of this) yield entry;
  }
}
