import { BoundedCache, type CacheStats } from "./bounded-cache.ts";

/** A hit's own columns, as a search returns them: `id`, `content`, `marker`. */
export type HitRow = readonly [id: string, content: string, marker: string | null];

/** config.schema.json's `cache.hitRowsMaxBytes` default (a test keeps them equal), for a writer opened without a config. */
export const DEFAULT_HIT_ROWS_MAX_BYTES = 4 * 1024 * 1024;

/** Per cached row beside its strings: the entry, its array and key (an estimate, as lru-cache's sizeCalculation wants). */
const ROW_OVERHEAD_BYTES = 120;

/**
 * The rows of recent search hits by block key (search-memory.ts): a search
 * whose hits were all returned lately reads nothing from the index. Reading
 * ten hits' rows by row id is a join over the blocks table, 2.3-2.7 ms on
 * 438,000 blocks, a quarter to a third of an in-memory search. Typing a
 * query one keystroke at a time returns the same blocks again and again:
 * over the bench's four typed queries (92 keystrokes, 30,000 files) 68% of
 * the hits' rows had been returned by an earlier keystroke, and 57% of the
 * keystrokes had all of theirs.
 *
 * Sound without invalidation: a block's id, content and marker never change
 * under its key (a changed block gets a new key; a whole write gives new
 * keys and a kept id in the same transaction, kept-ids.ts; keys are never
 * given twice by one writer), and only committed rows are read. Bounded by
 * `cache.hitRowsMaxBytes` (UTF-16 text, two bytes a character).
 */
export class HitRowCache {
  readonly #rows: BoundedCache<HitRow>;

  constructor(maxBytes: number) {
    this.#rows = new BoundedCache<HitRow>(maxBytes, (row) => ROW_OVERHEAD_BYTES + 2 * (row[0].length + row[1].length + (row[2]?.length ?? 0)));
  }

  get(key: number): HitRow | undefined {
    return this.#rows.get(String(key));
  }

  set(key: number, row: HitRow): void {
    this.#rows.set(String(key), row);
  }

  /** Emptied when the index changed under it in a way it cannot tell (a repair). */
  clear(): void {
    this.#rows.clear();
  }

  stats(): CacheStats {
    return this.#rows.stats();
  }
}
