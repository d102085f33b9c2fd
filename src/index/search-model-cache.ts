import type { DuckDBConnection } from "@duckdb/node-api";
import { searchIndex, type SearchHit, type SearchQuery } from "./search.ts";
import { loadSearchModel, type SearchModel } from "./search-model.ts";
import type { HitRowCache } from "./hit-rows.ts";
import {
  SLICED_REFRESH_MIN_BLOCKS, compacted, readyForRefresh, refreshSearchModel, refreshSearchModelInSlices,
} from "./search-model-refresh.ts";
import type { CommittedChange, ModelDelta } from "./model-delta.ts";
import { StaleSearchModel, searchInMemory } from "./search-memory.ts";
import { TimeSlices } from "./time-slices.ts";
import { warmUpQueries } from "./search-warm-up.ts";
import { searchPages, type PageHit, type PageSearchQuery } from "./page-search.ts";
import { searchPagesInMemory } from "./page-search-memory.ts";

/**
 * The search model (search-model.ts) of the thread that answers searches,
 * kept in step with the index: the writer calls `committed()` after every
 * commit (index-writer.worker.ts).
 *
 * - A commit that left page rows as they were (an edit) or added pages for
 *   new paths (a new page, a first full index's batches) refreshes a loaded
 *   model from what the writer hands over (search-model-refresh.ts): the
 *   searches after it still rank in memory.
 * - Any other commit drops the model; the next search loads it again from
 *   the committed state. Until a model is loaded, searches answer through
 *   SQL (searchIndex) while the load runs, so no search waits for a load (a
 *   model of a 20k-file graph, postings included, takes 1-3 s).
 * - Nor does a catch-up that rewrites or deletes pages pay for a load after
 *   every batch: after a commit that dropped a model or would have, a model
 *   is loaded only once the index has not changed for `settleMs`.
 * - A load starts its snapshot between two writes (`pin`, the writer's
 *   order of tasks), so the commits after it are known: their deltas are
 *   applied to the model once loaded. A write under way pauses a load
 *   between its statements (`yieldToWrite`), so the write does not share
 *   the thread and both cores with it; a write the model cannot follow
 *   ends the load.
 * - A search that meets blocks the model lacks (a commit it raced with)
 *   drops the model and answers through SQL. Filtered searches (--page,
 *   --tag, --marker) always use SQL.
 */
/** How long the index must go without a commit before a model is loaded (a catch-up commits every few hundred ms). */
export const DEFAULT_SETTLE_MS = 1000;

type Loading = {
  promise: Promise<SearchModel>;
  model: SearchModel | undefined;
  abort: AbortController;
  /** Its snapshot is taken: commits from now on are applied to it once loaded (`pending`). */
  pinned: boolean;
  pending: ModelDelta[];
};

/** Runs a load's first statement between two writes (the writer thread's task order); by default at once. */
export type Pin = (start: () => Promise<void>) => Promise<void>;

export class SearchModelCache {
  readonly #connection: DuckDBConnection;
  /** The connection loads read through: a load's statements never queue behind a search's. */
  readonly #loadConnection: DuckDBConnection;
  readonly #pin: Pin;
  #model: Loading | undefined;
  /** Loads still reading the index, the current one and any that were dropped. */
  readonly #reading = new Set<Promise<unknown>>();
  #loads = 0;
  #refreshes = 0;
  #warmUps = 0;
  /** A refresh running in slices, and the commits that came meanwhile, applied after it in order. */
  #refreshing: { queue: CommittedChange[]; done: Promise<void> } | undefined;
  readonly #settleMs: number;
  readonly #now: () => number;
  /** The rows of recent hits (hit-rows.ts); none: every search reads its hits' rows. */
  readonly #rowCache: HitRowCache | undefined;
  #changedAt = -Infinity;
  /** Set while a write is under way: a load waits on it before its next statement. */
  #write: { done: Promise<void>; release: () => void } | undefined;

  constructor(connection: DuckDBConnection, options: { settleMs?: number; now?: () => number; loadConnection?: DuckDBConnection; pin?: Pin; rowCache?: HitRowCache } = {}) {
    this.#rowCache = options.rowCache;
    this.#connection = connection;
    this.#loadConnection = options.loadConnection ?? connection;
    this.#pin = options.pin ?? ((start) => start());
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * A write is starting: a load under way pauses before its next statement
   * until the write has committed (`committed`). Loads used to give way by
   * being dropped; a user editing every few hundred ms on a large graph
   * then never got a model at all (a load takes 1-3 s).
   */
  yieldToWrite(): void {
    if (this.#write !== undefined || this.#model === undefined || this.#model.model !== undefined) return;
    let release = () => {};
    const done = new Promise<void>((resolve) => (release = resolve));
    this.#write = { done, release };
  }

  /**
   * A batch committed (or failed). A loaded model is refreshed with the
   * change's delta when it can be, at once: the searches after the commit
   * rank in memory instead of through SQL. A load whose snapshot is taken
   * keeps the delta for when it is loaded. Otherwise the model is dropped.
   * A commit a model could have followed does not put a load off: only
   * commits that would drop a model (a catch-up's) make loads wait for the
   * index to settle.
   */
  committed(change: CommittedChange): void {
    const write = this.#write;
    this.#write = undefined;
    try {
      const current = this.#model;
      if (current === undefined) {
        if (!change.refreshable) this.#changedAt = this.#now();
        return;
      }
      if (current.model === undefined) {
        // Not pinned yet: its snapshot, taken after this commit, holds it.
        if (!current.pinned) return;
        if (change.delta !== null) {
          current.pending.push(change.delta);
          return;
        }
        return this.#drop(change.refreshable);
      }
      if (this.#refreshing !== undefined) {
        // A commit no model follows drops it now, not once the refresh under way is done.
        if (change.delta === null) return this.#drop(change.refreshable);
        this.#refreshing.queue.push(change);
        return;
      }
      if (change.delta !== null && inSlices(change.delta)) return this.#refreshInSlices(current, change);
      const refreshed = change.delta === null ? null : refreshSearchModel(current.model, change.delta);
      if (refreshed === null) return this.#drop(change.refreshable);
      this.#refreshes++;
      this.#model = { promise: Promise.resolve(refreshed), model: refreshed, abort: new AbortController(), pinned: true, pending: [] };
    } finally {
      write?.release();
    }
  }

  /**
   * A commit that adds many blocks and deletes none (a catch-up's batch):
   * the model refreshed in slices (search-model-refresh.ts
   * refreshSearchModelInSlices), searches answering from the model before
   * it meanwhile, so one batch behind; commits that come meanwhile are
   * applied after it, in order. In one stretch, its 100 ms on 1,024 files
   * (more beside the parsing threads) held every search that arrived.
   */
  #refreshInSlices(current: Loading, change: CommittedChange): void {
    const queue = [change];
    const run = async (): Promise<void> => {
      let loading = current;
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (this.#model !== loading) return;
        const model = loading.model as SearchModel;
        const { delta } = next;
        const refreshed = delta === null ? null : inSlices(delta) ? await refreshSearchModelInSlices(model, delta, new TimeSlices()) : refreshSearchModel(model, delta);
        // Dropped meanwhile (invalidate(), a search that met blocks it lacks): nothing left to follow.
        if (this.#model !== loading) return;
        if (refreshed === null) return this.#drop(next.refreshable);
        this.#refreshes++;
        loading = { promise: Promise.resolve(refreshed), model: refreshed, abort: new AbortController(), pinned: true, pending: [] };
        this.#model = loading;
      }
    };
    const state = { queue, done: Promise.resolve() };
    this.#refreshing = state;
    state.done = run()
      .catch(() => {
        if (this.#refreshing === state) this.#drop(false);
      })
      .finally(() => {
        if (this.#refreshing === state) this.#refreshing = undefined;
      });
  }

  /** Until no refresh runs in slices (callers skip it when none runs: an await of nothing still lets other tasks in). */
  async #refreshed(): Promise<void> {
    while (this.#refreshing !== undefined) await this.#refreshing.done;
  }

  /** Whether the next commit's delta is wanted: a model is loaded, or a load's snapshot is taken. */
  get wantsDelta(): boolean {
    return this.#model !== undefined && (this.#model.model !== undefined || this.#model.pinned);
  }

  /** The index changed in a way no model follows (a repair): searches load the model again once it has settled. */
  invalidate(): void {
    this.#drop(false);
  }

  /** Drops the model or ends its load; `quietly`: without putting the next load off. */
  #drop(quietly: boolean): void {
    const current = this.#model;
    this.#model = undefined;
    // A refresh in slices stops at its next step; the commits it held go with the model.
    this.#refreshing = undefined;
    if (!quietly) this.#changedAt = this.#now();
    if (current !== undefined && current.model === undefined) current.abort.abort(new Error("the search model load was overtaken by a write"));
  }

  /** How many times a model load started (for tests). */
  get loads(): number {
    return this.#loads;
  }

  /** How many commits refreshed the model instead of dropping it, loaded or loading (for tests). */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** Resolves once no load reads the index any more (the database may then be closed under it). */
  async settled(): Promise<void> {
    this.#write?.release();
    if (this.#refreshing !== undefined) await this.#refreshed();
    await Promise.allSettled(this.#reading);
  }

  /**
   * Loads the model now, settled or not; resolves once it is loaded or its
   * load failed (quietly: the next search tries again). The service awaits
   * it at the end of its start-up catch-up, so its first searches rank in
   * memory and its first edits do not share the thread and both cores with
   * a load (on 20,000 files the first four edits after start-up took
   * 0.4-1 s while the model loaded, the others about 0.2 s). `sliceMs`: the
   * compaction's slices (time-slices.ts; tests pass 0).
   */
  async warm(sliceMs?: number): Promise<void> {
    if (this.#refreshing !== undefined) await this.#refreshed();
    await this.#current().promise.catch(() => {});
    // A model that followed many commits since its load (a whole catch-up, say), flat again
    // (search-model-refresh.ts `compacted`), in slices: searches rank with the model as it is meanwhile.
    const current = this.#model;
    const model = current?.model;
    if (current === undefined || model === undefined) return;
    const flat = await compacted(model, new TimeSlices(sliceMs));
    // Only if no commit came meanwhile: the flat copy lacks what it added.
    if (flat !== model && this.#model === current && current.model === model) this.#model = { ...current, promise: Promise.resolve(flat), model: flat };
    await this.#warmUp();
  }

  /**
   * The model as it now is, searched with warmUpQueries (search-warm-up.ts)
   * without the hit-row cache: the code gets compiled and the model's
   * scratch made, no hit is kept. Stops at a commit or a failure (the
   * searches then answer as they would anyway).
   */
  async #warmUp(): Promise<void> {
    const current = this.#model;
    const model = current?.model;
    if (model === undefined) return;
    for (const text of warmUpQueries(model)) {
      if (this.#model !== current) return;
      try {
        await searchInMemory(this.#connection, model, { text, limit: 10 });
        this.#warmUps++;
      } catch {
        return;
      }
    }
  }

  /** How many warm-up searches ran (for tests). */
  get warmUps(): number {
    return this.#warmUps;
  }

  /** The current model, loaded first if need be, refreshed with every commit so far (for benchmarks and tests that time or compare the in-memory path). */
  ready(): Promise<SearchModel> {
    // A load starts at the call, as before refreshes ran in slices (tests count on it).
    if (this.#refreshing === undefined) return this.#current().promise;
    return this.#refreshed().then(() => this.#current().promise);
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.page !== undefined || query.tag !== undefined || query.marker !== undefined) return searchIndex(this.#connection, query);
    const settling = this.#model === undefined && this.#now() - this.#changedAt < this.#settleMs;
    const current = settling ? undefined : this.#current();
    if (current?.model === undefined) return searchIndex(this.#connection, query);
    try {
      const hits = await searchInMemory(this.#connection, current.model, query, this.#rowCache);
      // A commit while the search ran (the model holds every posting, so only the hits' rows are read from the index):
      // the model may lack what it added, SQL answers from the committed state.
      if (this.#model !== current) return searchIndex(this.#connection, query);
      return hits;
    } catch (error) {
      if (!(error instanceof StaleSearchModel)) throw error;
      if (this.#model === current) this.#drop(true);
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
      // What the load's pin and its promise share with the Loading built around them.
      const state = { pinned: false, pending: [] as ModelDelta[] };
      const read = loadSearchModel(this.#loadConnection, abort.signal, {
        pin: (start) => this.#pin(async () => {
          await start();
          loading.pinned = true;
        }),
        step: async () => {
          while (this.#write !== undefined) await this.#write.done;
        },
      });
      this.#reading.add(read);
      void read.finally(() => this.#reading.delete(read)).catch(() => {});
      // The commits since its snapshot, applied in order; one it cannot follow drops it.
      const promise = read.then((loaded) => {
        let model: SearchModel | null = readyForRefresh(loaded);
        for (const delta of loading.pending) if (model !== null) model = refreshSearchModel(model, delta);
        if (model === null) throw new Error("the search model could not follow the commits made while it loaded");
        this.#refreshes += loading.pending.length;
        loading.pending = [];
        loading.model = model;
        return model;
      });
      const loading: Loading = Object.assign(state, { promise, model: undefined, abort });
      // A failed load is not kept: the next search tries again (after the index settles, for one a commit overtook).
      loading.promise.catch(() => {
        if (this.#model === loading) this.#drop(false);
      });
      this.#model = loading;
    }
    return this.#model;
  }
}

/** A delta refreshed in slices: many new blocks, none gone (searches meanwhile read the model before, which a gone block's dead mark would change). */
function inSlices(delta: ModelDelta): boolean {
  return delta.goneKeys.length === 0 && delta.blocks.length >= SLICED_REFRESH_MIN_BLOCKS;
}
