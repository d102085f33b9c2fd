import { parseFile } from "../logseq/parse.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { blockOutline } from "./block-outline.ts";
import { serialiseBlocks } from "./block-rows.ts";
import type { IndexedDocument } from "./index-batch.ts";
import { foldedTitleTokens } from "./title-tokens.ts";
import { MIN_PARTIAL_BLOCKS, parsePartially, textMemory, type ParseMemory } from "./partial-parse.ts";

export type DocumentOptions = {
  /** files.id_seed: the page name block ids were first derived from; absent for a new file. */
  idSeed?: string;
  /** What the file's previous parse left (BlockKeyCache): a partial parse, or rows only for blocks not among its keys. */
  previousKeys?: ParseMemory;
  /** The file's bytes, if `text` was decoded from them (saves encoding it again for a partial document). */
  bytes?: Uint8Array;
  /** Warnings found before parsing (bad UTF-8, empty file). */
  warnings?: string[];
  /**
   * The document will be written whole (a new file, a forced re-parse): below
   * MIN_PARTIAL_BLOCKS blocks it gets no outline and no keys, which nothing
   * would use (the main thread keeps keys from that size on, the writer warms
   * a diff state from that size on). Building them was a tenth of a full
   * index's parsing, and the keys crossed to the main thread to be dropped.
   */
  whole?: boolean;
};

/**
 * Above this share of blocks missing from the previous parse, a document
 * carries every row: the writer would rewrite the file whole anyway
 * (`write.maxChangedFraction` defaults to the same half).
 */
const MAX_PARTIAL_SHARE = 0.5;

const encoder = new TextEncoder();
const lenient = new TextDecoder("utf-8");

/**
 * Parses one file into what the writer takes (the parse worker's work, also
 * run in tests and benchmarks). Returns the blocks' keys for the next parse
 * of the file to compare with.
 *
 * Given `previousKeys`, only the rows of the blocks between the parts the
 * previous parse shares with this one at the start and the end are built
 * (issue #11): an editor's save of a 70,000-block page then tokenises and
 * serialises the handful of blocks it changed. Such a
 * partial document carries the file's bytes, so the writer can build the
 * rows it lacks (fullDocument) whenever the previous parse is not what the
 * index holds (its write was dropped) and the diff needs a block left out,
 * or the file goes whole.
 */
export function indexedDocument(path: string, text: string, graph: GraphConfig, options: DocumentOptions = {}): { doc: IndexedDocument; keys: ParseMemory } {
  const previous = options.previousKeys;
  if (previous?.text !== undefined && (options.warnings ?? []).length === 0) {
    const bytes = options.bytes ?? encoder.encode(text);
    const partial = text.charCodeAt(0) === 0xfeff ? null : parsePartially(path, bytes, graph, previous.keys, previous.text, options.idSeed);
    if (partial !== null) {
      const source = sharedCopy(bytes);
      const doc: IndexedDocument = {
        page: previous.text.page,
        blockCount: partial.place.length / 4,
        ...serialiseBlocks(path, partial.blocks, undefined, partial.base),
        outline: { keys: partial.keys, place: partial.place },
        source,
        warnings: [],
      };
      return { doc, keys: { keys: partial.keys, text: { ...partial.memory, bytes: source } } };
    }
  }
  const extras = { contentKeys: [] as number[], starts: [] as number[] };
  const parsed = parseFile(path, text, graph, options.idSeed, extras);
  const page = { ...parsed.page, titleTokens: foldedTitleTokens(parsed.page.originalName, parsed.page.aliases) };
  if (options.whole === true && parsed.blocks.length < MIN_PARTIAL_BLOCKS) {
    const doc: IndexedDocument = {
      page,
      blockCount: parsed.blocks.length,
      ...serialiseBlocks(path, parsed.blocks),
      source: null,
      warnings: [...(options.warnings ?? []), ...parsed.warnings],
    };
    return { doc, keys: { keys: "" } };
  }
  const { outline, keyList } = blockOutline(parsed.blocks);
  let wanted: ((ord: number) => boolean) | undefined;
  if (previous !== undefined) {
    const [from, to] = changedRange(previous.keys.split("\n"), keyList);
    if (to - from <= MAX_PARTIAL_SHARE * keyList.length) wanted = (ord) => ord >= from && ord < to;
  }
  const { blockRows, refRows } = serialiseBlocks(path, parsed.blocks, wanted);
  const bytes = options.bytes ?? encoder.encode(text);
  const memory = (options.warnings ?? []).length === 0 ? textMemory(path, text, bytes, parsed, extras, outline.place, page, options.idSeed ?? page.name) : undefined;
  const source = wanted === undefined && memory === undefined ? null : sharedCopy(bytes);
  const doc: IndexedDocument = {
    page,
    blockCount: parsed.blocks.length,
    blockRows,
    refRows,
    outline,
    source: wanted === undefined ? null : source,
    warnings: [...(options.warnings ?? []), ...parsed.warnings],
  };
  return { doc, keys: memory === undefined || source === null ? { keys: outline.keys } : { keys: outline.keys, text: { ...memory, bytes: source } } };
}

/**
 * A partial document with every row, parsed again from its bytes: exactly
 * the rows the parse worker would have written (the same parser, seed and
 * lenient decoding: a strict decode that succeeded gives the same text).
 */
export function fullDocument(doc: IndexedDocument, path: string, graph: GraphConfig, idSeed: string | null): IndexedDocument {
  if (doc.source === null) return doc;
  const parsed = parseFile(path, lenient.decode(doc.source), graph, idSeed ?? undefined);
  if (parsed.blocks.length !== doc.blockCount) throw new Error(`${path}: the bytes of a partial document parse to ${parsed.blocks.length} blocks, not ${doc.blockCount}`);
  return { ...doc, ...serialiseBlocks(path, parsed.blocks), source: null };
}

/**
 * The new blocks between the longest common prefix and suffix of the two
 * key lists, as [from, to) ords: an editor's save changes one spot. A block
 * moved far makes a long range (past half the blocks: every row), where a
 * lookup of each key in a set of the old ones would find none missing and
 * leave the writer to parse the page again for the moved block's row; and
 * building that set cost more than the comparison.
 */
function changedRange(before: readonly string[], after: readonly string[]): [number, number] {
  let from = 0;
  while (from < before.length && from < after.length && before[from] === after[from]) from++;
  let oldEnd = before.length;
  let to = after.length;
  while (oldEnd > from && to > from && before[oldEnd - 1] === after[to - 1]) {
    oldEnd--;
    to--;
  }
  return [from, to];
}

/** Shared memory crosses to the writer thread uncopied, and the main thread's BlockKeyCache keeps the same bytes (partial-parse.ts). */
function sharedCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}
