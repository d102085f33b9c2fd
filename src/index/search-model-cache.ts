import type { DuckDBConnection } from "@duckdb/node-api";
import { searchIndex, type SearchHit, type SearchQuery } from "./search.ts";
import { loadSearchModel, type SearchModel } from "./search-model.ts";
import { StaleSearchModel, searchInMemory } from "./search-memory.ts";

/**
 * The search model (search-model.ts) of the thread that answers searches,
 * kept in step with the index: the writer calls `invalidate()` after every
 * commit (index-writer.worker.ts) and the next search loads the model again
 * from the committed state. A search that meets blocks the model lacks (a
 * commit it raced with) drops the model and tries once more, then answers
 * through SQL. Filtered searches (--page, --tag, --marker) always use SQL.
 */
export class SearchModelCache {
  readonly #connection: DuckDBConnection;
  #model: Promise<SearchModel> | undefined;
  #loads = 0;

  constructor(connection: DuckDBConnection) {
    this.#connection = connection;
  }

  /** The index changed: the next search loads the model again. */
  invalidate(): void {
    this.#model = undefined;
  }

  /** How many times the model was loaded (for status and tests). */
  get loads(): number {
    return this.#loads;
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.page !== undefined || query.tag !== undefined || query.marker !== undefined) return searchIndex(this.#connection, query);
    for (let attempt = 0; attempt < 2; attempt++) {
      const pending = this.#current();
      try {
        return await searchInMemory(this.#connection, await pending, query);
      } catch (error) {
        if (!(error instanceof StaleSearchModel)) throw error;
        if (this.#model === pending) this.#model = undefined;
      }
    }
    return searchIndex(this.#connection, query);
  }

  #current(): Promise<SearchModel> {
    if (this.#model === undefined) {
      this.#loads++;
      const loading = loadSearchModel(this.#connection);
      // A failed load is not kept: the next search tries again.
      loading.catch(() => {
        if (this.#model === loading) this.#model = undefined;
      });
      this.#model = loading;
    }
    return this.#model;
  }
}
