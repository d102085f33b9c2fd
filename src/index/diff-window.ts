import { outlineBlocks, type BlockOutline } from "./block-outline.ts";
import { sizeFrom, type DiffBlock } from "./diff-state-cache.ts";

/**
 * The part of a file a block diff has to look at (issue #11). An editor's
 * save of a 70,000-block page changes a few blocks: the blocks before and
 * after them keep their keys and their place in the tree, so the diff would
 * pair them, leave their rows alone and cache them as they were. Building a
 * tuple per block, planning ids and seqs and building the cache entry over
 * all 70,000 cost the writer about 110 ms a save (quiet machine) and 800 ms
 * under load; the window leaves that work to the blocks between the common
 * head and tail, so it grows with the edit, not with the page.
 *
 * The head and tail are trimmed on key AND place (parent, position, level,
 * `id::`), so every block outside the window is a kept pair whose row and
 * cache entry stay as they are. A tail block whose parent ends up inside the
 * window joins the window: that parent may get a new id. Within the window
 * the diff, the id plan and the seqs run as on the whole file, from the same
 * state at the window's edges (the seqs around it, the ids kept before it):
 * the writes are the same.
 */
export type DiffWindow = {
  /** The window's first ord, old and new. */
  start: number;
  /** The window's old blocks, [start, start + before.length) of the file's state. */
  before: DiffBlock[];
  /** The window's new blocks, as outlineBlocks gives them (`k`: ord within the window). */
  after: DiffBlock[];
  /** Seqs of the kept blocks just before and just after the window (null: none). */
  lo: bigint | null;
  hi: bigint | null;
  /** Parser id → id as written, of the blocks before the window whose id an edit kept (planIds). */
  written: Map<string, string>;
  /** Ids as written of the blocks outside the window whose id an edit kept. */
  keptOutside: Set<string>;
};

/** Where a state's tree came from: the outline (block-outline.ts) of the write that left it. */
const outlines = new WeakMap<DiffBlock[], BlockOutline>();

/**
 * Notes the outline a cached state was written from, so the next diff of
 * the file can take a window. Its keys text is the state's keys
 * (`t[1]`), one a line: the head and tail are first found by comparing
 * the two texts in long chunks, where comparing 35,000 keys one by one
 * (startsWith) cost 3-25 ms a save of a 70,000-block page under load.
 */
export function rememberPlace(state: DiffBlock[], outline: BlockOutline): DiffBlock[] {
  outlines.set(state, outline);
  return state;
}

/** The whole file as one window (no cached place, or a window that would change a kept id outside it). */
export function wholeWindow(before: DiffBlock[], outline: BlockOutline, after = outlineBlocks(outline)): DiffWindow {
  return { start: 0, before, after, lo: null, hi: null, written: new Map(), keptOutside: new Set() };
}

const FIELDS = 4;
const NEWLINE = 10;

/** A window of `state` for the new `outline`, or the whole file when the state's place is unknown. */
export function diffWindow(state: DiffBlock[], outline: BlockOutline): DiffWindow {
  const old = outlines.get(state);
  const op = old?.place;
  const np = outline.place;
  const keys = outline.keys;
  const m = state.length;
  const n = np.length / FIELDS;
  if (op === undefined || op.length !== FIELDS * m || n === 0 || m === 0) return wholeWindow(state, outline);
  const same = (i: number, j: number): boolean =>
    op[FIELDS * i + 1] === np[FIELDS * j + 1] && op[FIELDS * i + 2] === np[FIELDS * j + 2] && op[FIELDS * i + 3] === np[FIELDS * j + 3];

  // Within the texts' common prefix and suffix, a key needs no comparing.
  const prefix = commonPrefix(old?.keys ?? "", keys);
  const suffixFrom = keys.length - commonSuffix(old?.keys ?? "", keys, prefix);
  // Head: keys compared in place in the joined text (a split of 70,000 keys per save cost more than the rest).
  let start = 0;
  let from = 0; // where key `start` begins in `keys`
  while (start < m && start < n) {
    const key = (state[start] as DiffBlock).t[1];
    const end = from + key.length;
    if ((end >= prefix && !keys.startsWith(key, from)) || !endsAt(keys, end) || !same(start, start) || op[FIELDS * start] !== np[FIELDS * start]) break;
    from += key.length + 1;
    start++;
  }
  // Tail, from the end; a parent must be the same block (shifted by the blocks inserted in between).
  const delta = n - m;
  let oldEnd = m;
  let newEnd = n;
  let end = keys.length; // where key `newEnd - 1` ends
  while (oldEnd > start && newEnd > start) {
    const i = oldEnd - 1;
    const j = newEnd - 1;
    const key = (state[i] as DiffBlock).t[1];
    const at = end - key.length;
    if (at < from || (at < suffixFrom && !keys.startsWith(key, at)) || (at > 0 && keys.charCodeAt(at - 1) !== NEWLINE) || !same(i, j)) break;
    const p = np[FIELDS * j] as number;
    const q = op[FIELDS * i] as number;
    if (!(p < 0 ? q < 0 : p < start ? p === q : p - delta === q)) break;
    end = at - 1;
    oldEnd--;
    newEnd--;
  }
  // A tail block whose parent is inside the window joins it, and with it every block before it.
  let keyEnd = end;
  for (let j = newEnd; j < n; j++) {
    keyEnd += 1 + (state[j - delta] as DiffBlock).t[1].length;
    const p = np[FIELDS * j] as number;
    if (p >= start && p < newEnd) {
      newEnd = j + 1;
      oldEnd = newEnd - delta;
      end = keyEnd;
    }
  }
  const windowKeys = newEnd > start ? keys.slice(from, end).split("\n") : [];
  if (windowKeys.length !== newEnd - start) return wholeWindow(state, outline);

  const parserIdOfKey = (key: string): string => {
    const slash = key.indexOf("/");
    return slash < 0 ? key : key.slice(0, slash);
  };
  const after = windowKeys.map((key, w): DiffBlock => {
    const at = FIELDS * (start + w);
    const p = np[at] as number;
    const parent = p < 0 ? "" : p < start ? parserIdOf(state[p] as DiffBlock) : parserIdOfKey(windowKeys[p - start] as string);
    return { k: String(w), t: ["", key, parent, String(np[at + 1]), String(np[at + 2]), parserIdOfKey(key), "", np[at + 3] === 1 ? "1" : ""] };
  });
  const written = new Map<string, string>();
  const keptOutside = new Set<string>();
  for (let i = 0; i < m; i++) {
    if (i === start) i = oldEnd;
    const b = state[i];
    if (b === undefined || b.t[6] === "") continue;
    if (i < start) written.set(b.t[6], b.t[5]);
    keptOutside.add(b.t[5]);
  }
  return {
    start,
    before: state.slice(start, oldEnd),
    after,
    lo: start > 0 ? BigInt((state[start - 1] as DiffBlock).t[0]) : null,
    hi: oldEnd < m ? BigInt((state[oldEnd] as DiffBlock).t[0]) : null,
    written,
    keptOutside,
  };
}

/** The file's state after a write of `window`: the blocks before and after it as they were, `inside` between. */
export function stateAround(state: DiffBlock[], window: DiffWindow, inside: DiffBlock[], outline: BlockOutline): DiffBlock[] {
  const whole = window.start === 0 && window.before.length === state.length
    ? inside
    : state.slice(0, window.start).concat(inside, state.slice(window.start + window.before.length));
  if (whole !== inside) sizeFrom(whole, state, window.before, inside);
  return rememberPlace(whole, outline);
}

const CHUNK = 1024;

/** The length of the longest common prefix of `a` and `b`, compared a chunk at a time. */
function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let at = 0;
  while (at + CHUNK <= limit && a.slice(at, at + CHUNK) === b.slice(at, at + CHUNK)) at += CHUNK;
  while (at < limit && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  return at;
}

/** The length of the longest common suffix of `a` and `b` that leaves `b`'s first `keep` characters out of it. */
function commonSuffix(a: string, b: string, keep: number): number {
  const limit = Math.min(a.length, b.length - keep);
  let n = 0;
  while (n + CHUNK <= limit && a.slice(a.length - n - CHUNK, a.length - n) === b.slice(b.length - n - CHUNK, b.length - n)) n += CHUNK;
  while (n < limit && a.charCodeAt(a.length - n - 1) === b.charCodeAt(b.length - n - 1)) n++;
  return n;
}

function endsAt(text: string, at: number): boolean {
  return at === text.length || text.charCodeAt(at) === NEWLINE;
}

/** The id the parser derives for a block: tuple field 6, '' when it is the id as written (field 5). */
function parserIdOf(b: DiffBlock): string {
  return b.t[6] === "" ? b.t[5] : b.t[6];
}
