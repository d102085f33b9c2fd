import { LRUCache } from "lru-cache";
import type { CacheStats } from "../index/diff-state-cache.ts";
import type { ParseMemory } from "../index/partial-parse.ts";

/**
 * Files with fewer blocks are not kept: their rows cost little to build
 * again, and a 20,000-file sync would otherwise churn the cache for nothing.
 */
export const MIN_KEPT_BLOCKS = 1000;

/**
 * The block keys of recently parsed large files (issue #11), one a line
 * (block-outline.ts), on the main thread: the next parse of such a file
 * gets them and builds rows only for the blocks they lack
 * (indexed-document.ts). Bounded by `cache.blockKeysMaxBytes` with LRU
 * eviction; a file larger than the bound is not kept. An entry need not
 * match the index (a parse whose write was dropped, a file deleted): the
 * writer builds any row it lacks from the document's bytes, so a stale
 * entry costs time, never a wrong row.
 */
export class BlockKeyCache {
  readonly #lru: LRUCache<string, ParseMemory> | null;
  readonly #maxBytes: number;
  #hits = 0;
  #misses = 0;

  constructor(maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cache size must be a whole number of bytes >= 0, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
    this.#lru = maxBytes === 0 ? null : new LRUCache<string, ParseMemory>({ maxSize: maxBytes, sizeCalculation: sizeOf });
  }

  get(path: string): ParseMemory | undefined {
    if (this.#lru === null) return undefined;
    const keys = this.#lru.get(path);
    if (keys === undefined) this.#misses++;
    else this.#hits++;
    return keys;
  }

  /** Keeps a parse's keys if the file has MIN_KEPT_BLOCKS blocks or more, else forgets the path. */
  remember(path: string, blockCount: number, keys: ParseMemory): void {
    if (blockCount >= MIN_KEPT_BLOCKS) this.#lru?.set(path, keys);
    else this.#lru?.delete(path);
  }

  delete(path: string): void {
    this.#lru?.delete(path);
  }

  stats(): CacheStats {
    return { entries: this.#lru?.size ?? 0, sizeBytes: this.#lru?.calculatedSize ?? 0, maxBytes: this.#maxBytes, hits: this.#hits, misses: this.#misses };
  }
}

/** Keys are hex and tabs: one byte a character in V8; a page's text memory is its bytes and arrays (partial-parse.ts). */
function sizeOf(memory: ParseMemory, path: string): number {
  const text = memory.text;
  const arrays = text === undefined ? 0 : 256 + text.bytes.byteLength + text.place.byteLength + text.contentKeys.byteLength + text.tops.byteLength;
  return 64 + memory.keys.length + 2 * path.length + arrays;
}
