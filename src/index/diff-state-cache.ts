import { BoundedCache } from "./bounded-cache.ts";

/**
 * One block as the block diff sees it (incremental-write.ts): `k` its key
 * (or, for a new parse, its ord) and `t` [seq, content digest, parent_id,
 * position, level, id, parser id ('' when it is the id), '1' when the block
 * has an `id::` property else ''], all as text. The digest covers the
 * parser id, not a kept one (block-edits.ts), so it matches a new parse.
 */
export type DiffBlock = { k: string; t: [string, string, string, string, string, string, string, string] };

export type { CacheStats } from "./bounded-cache.ts";

/**
 * The design's cache of recently changed files' parses (issue #11), in the
 * form the block diff compares against: each file's indexed blocks after
 * its last incremental write. A file edited again is diffed without reading
 * its blocks back from DuckDB. Bounded by `cache.diffStateMaxBytes` (an
 * estimate of the entries' heap size) with LRU eviction; a file larger than
 * the bound is not kept. Only the writer thread uses it, and it drops a
 * path's entry whenever that path is written any other way (a page of
 * 1,000 blocks or more written whole gets the entry of its rows as written,
 * diffed-writes.ts wholeWriteState), so an entry always equals the
 * committed rows.
 */
export class DiffStateCache extends BoundedCache<DiffBlock[]> {
  constructor(maxBytes: number) {
    super(maxBytes, sizeOfState);
  }
}

/**
 * Sizes already counted, per state. A diff's new state of a 70,000-block
 * page is sized from its predecessor's (sizeFrom), not block by block:
 * counting every block's strings again cost 2-38 ms a save under load.
 */
const sizes = new WeakMap<DiffBlock[], number>();

export function sizeOfState(state: DiffBlock[]): number {
  const known = sizes.get(state);
  if (known !== undefined) return known;
  const size = 64 + sizeOfBlocks(state);
  sizes.set(state, size);
  return size;
}

/** Notes the size of `state`, made of `from` by dropping `removed` and taking in `added`, if `from`'s is known. */
export function sizeFrom(state: DiffBlock[], from: DiffBlock[], removed: readonly DiffBlock[], added: readonly DiffBlock[]): void {
  const known = sizes.get(from);
  if (known !== undefined) sizes.set(state, known - sizeOfBlocks(removed) + sizeOfBlocks(added));
}

/** About what V8 holds for blocks: two bytes a character (worst case) plus object and array headers per block. */
export function sizeOfBlocks(blocks: readonly DiffBlock[]): number {
  let size = 0;
  for (const block of blocks) {
    size += 120 + 2 * block.k.length;
    for (const text of block.t) size += 16 + 2 * text.length;
  }
  return size;
}
