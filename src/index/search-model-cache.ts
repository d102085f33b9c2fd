import type { DuckDBConnection } from "@duckdb/node-api";
import { searchIndex, type SearchHit, type SearchQuery } from "./search.ts";
import { loadSearchModel, type SearchModel } from "./search-model.ts";
import { StaleSearchModel, searchInMemory } from "./search-memory.ts";
import { searchPages, type PageHit, type PageSearchQuery } from "./page-search.ts";
import { searchPagesInMemory } from "./page-search-memory.ts";

/**
 * The search model (search-model.ts) of the thread that answers searches,
 * kept in step with the index: the writer calls `invalidate()` after every
 * commit (index-writer.worker.ts) and the next search loads the model again
 * from the committed state. Until a model is loaded, searches answer through
 * SQL (searchIndex) while the load runs, so no search waits for a load (a
 * model of a 20k-file graph, postings included, takes 1-3 s). Nor does a catch-up pay
 * for a load after every batch: a model is loaded only once the index has
 * not changed for `settleMs`; until then searches answer through SQL, as
 * they did before the model. A search that meets blocks the model lacks (a
 * commit it raced with) drops the model and answers through SQL. Filtered
 * searches (--page, --tag, --marker) always use SQL.
 */
/** How long the index must go without a commit before a model is loaded (a catch-up commits every few hundred ms). */
export const DEFAULT_SETTLE_MS = 1000;

type Loading = { promise: Promise<SearchModel>; model: SearchModel | undefined; abort: AbortController };

export class SearchModelCache {
  readonly #connection: DuckDBConnection;
  /** The connection loads read through: a load giving way to a write interrupts its query there, not a search's. */
  readonly #loadConnection: DuckDBConnection;
  #model: Loading | undefined;
  /** Loads still reading the index, the current one and any that gave way. */
  readonly #reading = new Set<Promise<unknown>>();
  #loads = 0;
  readonly #settleMs: number;
  readonly #now: () => number;
  #changedAt = -Infinity;

  constructor(connection: DuckDBConnection, options: { settleMs?: number; now?: () => number; loadConnection?: DuckDBConnection } = {}) {
    this.#connection = connection;
    this.#loadConnection = options.loadConnection ?? connection;
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The index changed: searches load the model again once it has settled. */
  invalidate(): void {
    this.#model = undefined;
    this.#changedAt = this.#now();
  }

  /**
   * A write is starting: a load still running gives way to it. Its query is
   * interrupted (on a connection of its own) and the load dropped; the next
   * search loads again once the index has settled. A load of every posting
   * takes seconds on a large graph and competed with the write for both
   * cores: in 6 of 8 traced edits of a 70,000-block page, a load a polling
   * search had started a second after the previous commit held the edit's
   * statements back 0.7-1.3 s. Searches meanwhile answer through SQL.
   */
  yieldToWrite(): void {
    const loading = this.#model;
    if (loading === undefined || loading.model !== undefined) return;
    this.#model = undefined;
    this.#changedAt = this.#now();
    loading.abort.abort(new Error("the search model load gave way to a write"));
    if (this.#loadConnection !== this.#connection) this.#loadConnection.interrupt();
  }

  /** How many times the model was loaded (for status and tests). */
  get loads(): number {
    return this.#loads;
  }

  /** Resolves once no load reads the index any more (the database may then be closed under it). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#reading);
  }

  /** The current model, loaded first if need be (for benchmarks and tests that time or compare the in-memory path). */
  ready(): Promise<SearchModel> {
    return this.#current().promise;
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.page !== undefined || query.tag !== undefined || query.marker !== undefined) return searchIndex(this.#connection, query);
    const settling = this.#model === undefined && this.#now() - this.#changedAt < this.#settleMs;
    const current = settling ? undefined : this.#current();
    if (current?.model === undefined) return searchIndex(this.#connection, query);
    try {
      const hits = await searchInMemory(this.#connection, current.model, query);
      // A commit while the search ran (the model holds every posting, so only the hits' rows are read from the index):
      // the model may lack what it added, SQL answers from the committed state.
      if (this.#model !== current) return searchIndex(this.#connection, query);
      return hits;
    } catch (error) {
      if (!(error instanceof StaleSearchModel)) throw error;
      if (this.#model === current) this.#model = undefined;
      return searchIndex(this.#connection, query);
    }
  }

  /** `search --pages`: fuzzy titles, from the model's title words when it is loaded. */
  async searchPages(query: PageSearchQuery): Promise<PageHit[]> {
    const model = this.#model?.model;
    return model === undefined ? searchPages(this.#connection, query) : searchPagesInMemory(model, query);
  }

  #current(): Loading {
    if (this.#model === undefined) {
      this.#loads++;
      const abort = new AbortController();
      const loading: Loading = { promise: loadSearchModel(this.#loadConnection, abort.signal), model: undefined, abort };
      this.#reading.add(loading.promise);
      void loading.promise.finally(() => this.#reading.delete(loading.promise)).catch(() => {});
      loading.promise.then(
        (model) => (loading.model = model),
        // A failed load is not kept: the next search tries again.
        () => {
          if (this.#model === loading) this.#model = undefined;
        },
      );
      this.#model = loading;
    }
    return this.#model;
  }
}
