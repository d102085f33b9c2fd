import { parseFile } from "../logseq/parse.ts";
import type { GraphConfig, ParsedBlock } from "../logseq/types.ts";
import { blockOutline } from "./block-outline.ts";
import type { IndexedPage } from "./index-batch.ts";

/**
 * What the parse of a large page leaves for the next parse of the file
 * (BlockKeyCache, main thread). `keys`: the blocks' keys, one a line
 * (block-outline.ts). `text`: what a partial parse needs; absent where a
 * page cannot be parsed in part (Org, a byte-order mark, warnings, no id seed).
 */
export type ParseMemory = { keys: string; text?: TextMemory };

export type TextMemory = {
  /** The file's bytes (shared memory: the partial document's `source`, not a copy). */
  bytes: Uint8Array;
  /** The outline's place (block-outline.ts). */
  place: Int32Array;
  /** Each block's content key (parse.ts ParseExtras), -1 for a block with an `id::`. */
  contentKeys: Int32Array;
  /** Pairs (ord, byte offset) of the top-level blocks, in file order. */
  tops: Int32Array;
  page: IndexedPage;
  /** The id seed the blocks' ids derive from. */
  idSeed: string;
};

/** A partial parse: the new outline, the blocks parsed again (from ord `base` on), and the memory for the next one (but the bytes). */
export type PartialParse = { keys: string; place: Int32Array; blocks: ParsedBlock[]; base: number; memory: Omit<TextMemory, "bytes"> };

/** Pages with fewer blocks are parsed whole: they cost little, and keeping their text would churn the cache. */
export const MIN_PARTIAL_BLOCKS = 1000;

const lenient = new TextDecoder("utf-8");
const FIELDS = 4;
const NEWLINE = 10;

/**
 * Parses again only the top-level blocks an edit touched (issue #11): the
 * first and last changed characters against the previous text, widened to
 * the top-level blocks around them, form a region parsed on its own and
 * spliced between the previous parse's blocks. A top-level block at column
 * 0 resets the parser's tree: the blocks after it do not depend on the text
 * before it, so the splice gives what a whole parse gives, provided that the
 * region stays what it was: it starts and ends at top-level blocks at column
 * 0, cuts cleanly (no warning: a code fence it opens closes inside it),
 * holds no new `id::` (ids are unique across the file) and no text whose
 * content key (derived ids count earlier equal texts) occurs outside it,
 * and is not the page's first block (page properties). Otherwise null: the
 * caller parses the whole file. A whole parse of a 5 MB page cost about
 * 190 ms per save (quiet machine).
 */
export function parsePartially(path: string, bytes: Uint8Array, graph: GraphConfig, previousKeys: string, previous: TextMemory, idSeed: string | undefined): PartialParse | null {
  if (idSeed !== previous.idSeed || path.toLowerCase().endsWith(".org")) return null;
  // Bytes, not text: comparing 5 MB of UTF-16 after decoding the previous bytes cost 10 times more.
  const before = previous.bytes;
  const text = bytes;
  const shorter = Math.min(before.length, text.length);
  let first = 0;
  while (first < shorter && before[first] === text[first]) first++;
  if (first === before.length && first === text.length) return null;
  let tail = 0;
  while (tail < shorter - first && before[before.length - 1 - tail] === text[text.length - 1 - tail]) tail++;
  const changedEnd = before.length - tail;
  const shift = text.length - before.length;

  // The region: from the last top-level block starting before the first change, to the first starting after the last.
  const { tops, place, contentKeys } = previous;
  const topCount = tops.length / 2;
  let from = -1;
  for (let t = 0; t < topCount && (tops[2 * t + 1] as number) < first; t++) from = t;
  while (from >= 0 && !atColumnZero(text, tops[2 * from + 1] as number)) from--;
  if (from < 0) return null;
  // The first unchanged one, at column 0 in the new text too (an indent of a top-level block changes the text before it).
  let to = from + 1;
  while (to < topCount && ((tops[2 * to + 1] as number) < changedEnd || !atColumnZero(text, (tops[2 * to + 1] as number) + shift))) to++;
  const oldCount = place.length / FIELDS;
  const startOrd = tops[2 * from] as number;
  const startAt = tops[2 * from + 1] as number;
  const endOrd = to < topCount ? (tops[2 * to] as number) : oldCount;
  const endAt = to < topCount ? (tops[2 * to + 1] as number) + shift : text.length;
  if (startOrd === 0) return null;

  const regionKeys: number[] = [];
  const starts: number[] = [];
  const region = lenient.decode(text.subarray(startAt, endAt));
  const parsed = parseFile(path, region, graph, idSeed, { region: true, contentKeys: regionKeys, starts });
  if (parsed.warnings.length > 0 || parsed.blocks.some((b) => b.preBlock || Object.hasOwn(b.properties, "id"))) return null;
  // Derived ids count earlier blocks with equal text: no text of the region, old or new, may occur outside it.
  const inRegion = new Set<number>(regionKeys);
  // A block whose `id::` the edit removed (-1) counted no text.
  for (let ord = startOrd; ord < endOrd; ord++) if (contentKeys[ord] !== -1) inRegion.add(contentKeys[ord] as number);
  for (let ord = 0; ord < oldCount; ord++) {
    if (ord === startOrd) ord = endOrd;
    if (ord < oldCount && inRegion.has(contentKeys[ord] as number)) return null;
  }

  const added = parsed.blocks.length;
  const delta = added - (endOrd - startOrd);
  const count = oldCount + delta;
  let oldTops = 0;
  for (let t = from; t < to; t++) oldTops++;
  const firstPosition = place[FIELDS * startOrd + 1] as number;
  const outline = blockOutline(parsed.blocks);
  const newPlace = new Int32Array(new SharedArrayBuffer(FIELDS * 4 * count));
  newPlace.set(place.subarray(0, FIELDS * startOrd));
  let newTops = 0;
  parsed.blocks.forEach((b, r) => {
    const at = FIELDS * (startOrd + r);
    // The region's top-level blocks follow the ones before it (their rows too).
    if (b.parent < 0) b.position = firstPosition + newTops++;
    newPlace[at] = b.parent < 0 ? -1 : startOrd + b.parent;
    newPlace[at + 1] = b.position;
    newPlace[at + 2] = b.level;
    newPlace[at + 3] = 0;
  });
  const topShift = newTops - oldTops;
  for (let ord = endOrd; ord < oldCount; ord++) {
    const at = FIELDS * ord;
    const to4 = FIELDS * (ord + delta);
    const parent = place[at] as number;
    newPlace[to4] = parent < 0 ? -1 : parent + delta;
    newPlace[to4 + 1] = (place[at + 1] as number) + (parent < 0 ? topShift : 0);
    newPlace[to4 + 2] = place[at + 2] as number;
    newPlace[to4 + 3] = place[at + 3] as number;
  }

  const [headEnd, tailStart] = keyOffsets(previousKeys, startOrd, endOrd);
  const parts: string[] = [];
  if (startOrd > 0) parts.push(previousKeys.slice(0, headEnd));
  if (added > 0) parts.push(outline.outline.keys);
  if (endOrd < oldCount) parts.push(previousKeys.slice(tailStart));
  const keys = parts.join("\n");

  const newKeys = new Int32Array(count);
  newKeys.set(contentKeys.subarray(0, startOrd));
  newKeys.set(regionKeys, startOrd);
  newKeys.set(contentKeys.subarray(endOrd), startOrd + added);
  const topList: number[] = [];
  for (let t = 0; t < from; t++) topList.push(tops[2 * t] as number, tops[2 * t + 1] as number);
  const offsets = byteOffsets(region, starts);
  parsed.blocks.forEach((b, r) => {
    if (b.parent < 0) topList.push(startOrd + r, startAt + (offsets[r] as number));
  });
  for (let t = to; t < topCount; t++) topList.push((tops[2 * t] as number) + delta, (tops[2 * t + 1] as number) + shift);
  return {
    keys,
    place: newPlace,
    blocks: parsed.blocks,
    base: startOrd,
    memory: { place: newPlace, contentKeys: newKeys, tops: Int32Array.from(topList), page: previous.page, idSeed },
  };
}

/** The memory a whole parse leaves, or undefined when the file cannot be parsed in part later. */
export function textMemory(
  path: string,
  text: string,
  bytes: Uint8Array,
  parsed: { blocks: ParsedBlock[]; warnings: string[] },
  extras: { contentKeys: number[]; starts: number[] },
  place: Int32Array,
  page: IndexedPage,
  idSeed: string,
): Omit<TextMemory, "bytes"> | undefined {
  if (parsed.blocks.length < MIN_PARTIAL_BLOCKS || parsed.warnings.length > 0 || path.toLowerCase().endsWith(".org") || text.charCodeAt(0) === 0xfeff) return undefined;
  // Offsets in bytes (parsePartially compares bytes): the same as in the text when it is all ASCII.
  const offsets = bytes.length === text.length ? extras.starts : byteOffsets(text, extras.starts);
  const tops: number[] = [];
  parsed.blocks.forEach((b, ord) => {
    if (b.parent < 0 && !b.preBlock) tops.push(ord, offsets[ord] as number);
  });
  return { place, contentKeys: Int32Array.from(extras.contentKeys), tops: Int32Array.from(tops), page, idSeed };
}

function atColumnZero(bytes: Uint8Array, at: number): boolean {
  if (at > 0 && bytes[at - 1] !== NEWLINE) return false;
  const c = bytes[at];
  return c !== 32 && c !== 9;
}

/** The UTF-8 offsets of increasing offsets in `text`. */
function byteOffsets(text: string, offsets: readonly number[]): number[] {
  const out: number[] = new Array(offsets.length);
  let at = 0;
  let bytes = 0;
  offsets.forEach((offset, k) => {
    for (; at < offset; at++) {
      const c = text.charCodeAt(at);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c < 0xdc00 && at + 1 < text.length) {
        bytes += 4;
        at++;
      } else bytes += 3;
    }
    out[k] = bytes;
  });
  return out;
}

/** Where key `head` starts... as [end of key head-1, start of key tail] in the joined keys. */
function keyOffsets(keys: string, head: number, tail: number): [number, number] {
  let at = 0;
  let ord = 0;
  let headEnd = 0;
  while (ord < tail) {
    const next = keys.indexOf("\n", at);
    if (ord === head - 1) headEnd = next < 0 ? keys.length : next;
    at = next + 1;
    ord++;
  }
  return [headEnd, at];
}
