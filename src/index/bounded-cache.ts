import { LRUCache } from "lru-cache";

/** Cache figures for `status` (write-stats.ts). */
export type CacheStats = { entries: number; sizeBytes: number; maxBytes: number; hits: number; misses: number };

/**
 * The design's caches (issue #11): an LRU bounded by an estimate of its
 * entries' size in bytes (lru-cache's maxSize), counting hits and misses
 * for `status`. 0 bytes turns it off; an entry larger than the bound is not
 * kept.
 */
export class BoundedCache<V extends object> {
  readonly #lru: LRUCache<string, V> | null;
  readonly #maxBytes: number;
  #hits = 0;
  #misses = 0;

  constructor(maxBytes: number, sizeOf: (value: V, key: string) => number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cache size must be a whole number of bytes >= 0, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
    this.#lru = maxBytes === 0 ? null : new LRUCache<string, V>({ maxSize: maxBytes, sizeCalculation: sizeOf });
  }

  get(key: string): V | undefined {
    const value = this.#lru?.get(key);
    if (value === undefined) this.#misses++;
    else this.#hits++;
    return value;
  }

  /** Whether `key` has an entry, without counting a hit or a miss or refreshing its place in the LRU order. */
  has(key: string): boolean {
    return this.#lru?.has(key) ?? false;
  }

  /** The entry of `key`, without counting a hit or a miss or refreshing its place in the LRU order. */
  peek(key: string): V | undefined {
    return this.#lru?.peek(key);
  }

  /** Every entry's value, without counting hits or refreshing their places in the LRU order. */
  values(): IterableIterator<V> {
    return this.#lru?.values() ?? [].values();
  }

  set(key: string, value: V): void {
    this.#lru?.set(key, value);
  }

  delete(key: string): void {
    this.#lru?.delete(key);
  }

  clear(): void {
    this.#lru?.clear();
  }

  stats(): CacheStats {
    return { entries: this.#lru?.size ?? 0, sizeBytes: this.#lru?.calculatedSize ?? 0, maxBytes: this.#maxBytes, hits: this.#hits, misses: this.#misses };
  }
}
