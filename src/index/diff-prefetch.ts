import type { DuckDBConnection } from "@duckdb/node-api";
import { readIndexedState, type IndexedState } from "./incremental-write.ts";

/** Pages read ahead at most: the oldest go first. */
const MAX_PREFETCHED = 32;

/**
 * Pages' indexed sides of the block diff, read while their change settles
 * (IndexWriter.prefetchDiffStates): the service asks on a change's watcher
 * events, while the writer waits out the debounce, and the edit's write
 * then reads only its new blocks. A cache miss's read was the largest
 * statement of an idle edit (about 10 ms of 35-50 on 2,000 files). The
 * writer drops a path's entry whenever a batch writes that path, failed or
 * not (`drop`), so an entry always equals the committed rows.
 */
export class DiffPrefetch {
  /** By path, oldest first. */
  readonly #states = new Map<string, IndexedState>();
  #taken = 0;

  /** Reads the pages `wanted` accepts and not read yet; returns how many were read. */
  async read(c: DuckDBConnection, paths: readonly string[], wanted: (path: string) => boolean): Promise<number> {
    let read = 0;
    for (const path of paths) {
      if (this.#states.has(path) || !wanted(path)) continue;
      this.#states.set(path, await readIndexedState(c, path));
      if (this.#states.size > MAX_PREFETCHED) this.#states.delete(this.#states.keys().next().value as string);
      read++;
    }
    return read;
  }

  /** The state read ahead for `path`, counted as taken. */
  take(path: string): IndexedState | undefined {
    const state = this.#states.get(path);
    if (state !== undefined) this.#taken++;
    return state;
  }

  drop(paths: Iterable<string>): void {
    for (const path of paths) this.#states.delete(path);
  }

  clear(): void {
    this.#states.clear();
  }

  /** How many diffs took a state read ahead (for tests). */
  get taken(): number {
    return this.#taken;
  }
}
