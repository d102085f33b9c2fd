import { BoundedCache } from "../index/bounded-cache.ts";
import type { ParseMemory } from "../index/partial-parse.ts";

/**
 * Files with fewer blocks are not kept: their rows cost little to build
 * again, and a 20,000-file sync would otherwise churn the cache for nothing.
 */
export const MIN_KEPT_BLOCKS = 1000;

/**
 * What the last parse of recently parsed large files left (issue #11), on
 * the main thread: their block keys, one a line (block-outline.ts), and the
 * page's bytes, tree and top-level offsets (partial-parse.ts). The next save
 * of such a file is parsed in part, and rows are built only for the blocks
 * the keys lack (indexed-document.ts). Bounded by `cache.blockKeysMaxBytes`
 * with LRU eviction; a file larger than the bound is not kept. An entry
 * need not match the index (a parse whose write was dropped, a file
 * deleted): the writer builds any row it lacks from the document's bytes,
 * so a stale entry costs time, never a wrong row.
 */
export class BlockKeyCache extends BoundedCache<ParseMemory> {
  constructor(maxBytes: number) {
    super(maxBytes, sizeOf);
  }

  /** Keeps a parse's keys if the file has MIN_KEPT_BLOCKS blocks or more, else forgets the path. */
  remember(path: string, blockCount: number, keys: ParseMemory): void {
    if (blockCount >= MIN_KEPT_BLOCKS) this.set(path, keys);
    else this.delete(path);
  }
}

/** Keys are hex and tabs: one byte a character in V8; a page's text memory is its bytes and arrays (partial-parse.ts). */
function sizeOf(memory: ParseMemory, path: string): number {
  const text = memory.text;
  const arrays = text === undefined ? 0 : 256 + text.bytes.byteLength + text.place.byteLength + text.contentKeys.byteLength + text.tops.byteLength;
  return 64 + memory.keys.length + 2 * path.length + arrays;
}
