import process from "node:process";
import type { DuckDBConnection } from "@duckdb/node-api";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_LIMITS, openDatabase, type Database, type DatabaseLimits } from "./database.ts";
import { withMemoryRoom } from "./memory-room.ts";
import { makeScratchFolder } from "./scratch-folder.ts";
import { LIST, listValue, VARCHAR } from "./duckdb.ts";
import { SCRATCH_DDL } from "./schema.ts";
import { FILE_STAMPS_SQL, FILE_STATES_OF_SQL, FILE_STATES_SQL, FILE_STATES_WITH_CHECKSUM_SQL, type FileRowSelection } from "./file-states.ts";
import { mergeParts, rewriteInTermOrder, updateDocumentFrequencies } from "./postings.ts";
import { mergeLeftParts, POSTINGS_PARTS, PostingsParts } from "./postings-parts.ts";
import { ClashingNames, reconcilePageNameClashes, type Reconciled } from "./page-name-clashes.ts";
import { holdClaims, recordClashes, type HeldClaim } from "./page-name-holds.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { INCREMENTAL_SCRATCH_DDL } from "./incremental-write.ts";
import { DiffPrefetch } from "./diff-prefetch.ts";
import { IndexedPaths } from "./indexed-paths.ts";
import { completeRows, pathsOf, wholeWriteState, writeDiffs, type DiffContext, type DiffedWrites } from "./diffed-writes.ts";
import { KEPT_IDS_DDL, restoreKeptIds } from "./kept-ids.ts";
import { countBatch, emptyWriteStats, type WriteStats } from "./write-stats.ts";
import { DiffStateCache } from "./diff-state-cache.ts";
import { renamePage } from "./path-writes.ts";
import { deleteReplaced, type Replaced } from "./replaced-rows.ts";
import { appendDocuments, appendFiles } from "./whole-writes.ts";
import { CheckpointPolicy } from "./checkpoint-policy.ts";
import { invalidateOnNewDuckDB, readSyncState, setSyncState, writeSyncState } from "./sync-state.ts";
import { DEFAULT_DIFF_BUDGET, type DiffBudget } from "./diff-budget.ts";
import type { BatchResult, FileRow, FileWrite, IndexBatch } from "./index-batch.ts";
import type { CommittedChange, DiffChanges } from "./model-delta.ts";
import { committedChange } from "./committed-change.ts";

/** sync_state key: "unsorted" while fts_postings holds a bulk load's unsorted batches. */
const POSTINGS_ORDER = "postings_order";
const UNSORTED = "unsorted";

const PROFILE = process.env["SYNC_PIPELINE_PROFILE"] === "1";
const profile: Record<string, number> = {};
function lap(name: string, since: number): number {
  const now = performance.now();
  if (PROFILE) profile[name] = (profile[name] ?? 0) + now - since;
  return now;
}


/** A batch's page names: of the pages it removed, of those it wrote or moved, and of those now at a path they were not at (a clash they may join). */
type BatchNames = { gone: Set<string>; touched: Set<string>; joined: Set<string> };

/**
 * What the writer knows of a file, for change detection. `contentChecksum`
 * is the checksum of the bytes its indexed page was parsed from (NULL: no
 * page): a row read from the database whose status says indexed but whose
 * content disagrees is re-indexed (see detectChanges). Rows built in memory
 * from a committed write leave it out: they agree by construction.
 */
export type IndexedFileState = FileRow & { contentChecksum?: string | null };

/**
 * How `index` writes of files with indexed content are applied (issue #11):
 * as a block diff unless more than `maxChangedFraction` of the blocks
 * changed, and within a batch's diff budget (diff-budget.ts); `incremental:
 * false` rewrites every file whole.
 */
export type WriteOptions = {
  incremental: boolean;
  maxChangedFraction: number;
  diffStateMaxBytes: number;
  warmMinBlocks: number;
  diffBudget: DiffBudget;
};
export const DEFAULT_WRITE_OPTIONS: WriteOptions = Object.freeze({
  incremental: true,
  maxChangedFraction: 0.5,
  diffStateMaxBytes: 64 * 1024 * 1024,
  warmMinBlocks: 1000,
  diffBudget: DEFAULT_DIFF_BUDGET,
});

/**
 * The only owner of the index database in a process. Applies batches of
 * FileWrites, each in one transaction: metadata, pages, blocks, refs and
 * full-text postings commit together or not at all.
 */
export class IndexWriter {
  readonly #db: Database;
  /** A second connection to the same instance for search and status: it reads the last committed state while a batch writes. */
  readonly #reader: DuckDBConnection;
  /** Search model loads read here, so one that gives way to a write can be interrupted alone (search-model-cache.ts). */
  readonly #loader: DuckDBConnection;
  readonly #graph: GraphConfig;
  #nextKey = 0n;
  /** Postings appended since fts_postings was last put in term order (#buildPostings sorts within a batch only). */
  #postingsUnclustered = 0;
  /** In a bulk load (startBulkLoad) until clusterPostings. */
  #bulkLoad = false;
  /** A one-shot bulk load's postings, out of DuckDB until its end (postings-parts.ts); none for an in-memory database. */
  readonly #parts: PostingsParts | null;
  /** DuckDB's `memory_limit` as configured; a batch that does not fit is written again with more (memory-room.ts). */
  #memoryLimitMb = DEFAULT_LIMITS.memoryLimitMb;
  /** DuckDB's `threads` as configured, and as set now (a bulk load and a start's reads set fewer: #setThreads). */
  #threads = DEFAULT_LIMITS.threads;
  #threadsNow = DEFAULT_LIMITS.threads;
  /** Paths with a `files` row, and paths with indexed content: deletes are issued only for these. */
  readonly #paths = new IndexedPaths();
  /**
   * Where each batch's NDJSON is staged for DuckDB's reader: a folder of this
   * writer's own (scratch-folder.ts), removed on close. Names made of pid and
   * thread collided with files a kill -9 left behind, which another user's
   * process given the same pid could not overwrite (EACCES).
   */
  readonly #scratchDir = makeScratchFolder();
  readonly #scratchFiles = {
    blocks: join(this.#scratchDir, "blocks.ndjson"),
    refs: join(this.#scratchDir, "refs.ndjson"),
  };
  #writeOptions: WriteOptions = DEFAULT_WRITE_OPTIONS;
  readonly #writeStats: WriteStats = emptyWriteStats();
  #diffStates = new DiffStateCache(DEFAULT_WRITE_OPTIONS.diffStateMaxBytes);
  /** Which page names clash: a batch that cannot change a clash skips the clash read. */
  readonly #clashing = new ClashingNames();
  readonly #checkpoints = new CheckpointPolicy();
  /** Pages' indexed states read ahead of their writes (prefetchDiffStates). */
  readonly #prefetched = new DiffPrefetch();
  /** What the last batch changed, for the search model (takeModelDelta). */
  #modelDelta: CommittedChange = { refreshable: false, delta: null };

  private constructor(db: Database, reader: DuckDBConnection, loader: DuckDBConnection, graph: GraphConfig, path: string) {
    this.#db = db;
    this.#parts = path === "" || path === ":memory:" ? null : new PostingsParts(path);
    this.#reader = reader;
    this.#loader = loader;
    this.#graph = graph;
  }

  static async open(path: string, graph: GraphConfig, limits?: DatabaseLimits, writeOptions?: WriteOptions): Promise<IndexWriter> {
    const db = await openDatabase(path, { create: true, ...(limits === undefined ? {} : { limits }) });
    // The checkpoint threshold is set per batch, by its size (checkpoint-policy.ts). The WAL is checkpointed on close.
    const writer = new IndexWriter(db, await db.instance.connect(), await db.instance.connect(), graph, path);
    for (const ddl of [...SCRATCH_DDL, ...INCREMENTAL_SCRATCH_DDL, ...KEPT_IDS_DDL]) await db.connection.run(ddl);
    if (writeOptions !== undefined) {
      writer.#writeOptions = writeOptions;
      writer.#diffStates = new DiffStateCache(writeOptions.diffStateMaxBytes);
    }
    if (limits !== undefined) writer.#threads = writer.#threadsNow = limits.threads;
    writer.#memoryLimitMb = (limits ?? DEFAULT_LIMITS).memoryLimitMb;
    writer.#nextKey = BigInt(Number(await writer.#scalar(`SELECT coalesce(max(key), -1) + 1 FROM blocks`)));
    await invalidateOnNewDuckDB(writer.#db.connection);
    if (writer.#parts !== null) await mergeLeftParts(writer.#parts, db.connection, writer.#run);
    return writer;
  }

  /** Where this writer stages its batches' rows (removed on close). */
  get scratchFolder(): string {
    return this.#scratchDir;
  }

  get connection(): DuckDBConnection {
    return this.#db.connection;
  }

  get #diffContext(): DiffContext {
    return {
      graph: this.#graph,
      maxChangedFraction: this.#writeOptions.maxChangedFraction,
      diffBudget: this.#writeOptions.diffBudget,
      scratchBlocks: this.#scratchFiles.blocks,
      scratchRefs: this.#scratchFiles.refs,
      cache: this.#diffStates,
      hasContent: (path) => this.#paths.content.has(path),
      prefetched: (path) => this.#prefetched.take(path),
      allocateKeys: (n) => {
        const first = this.#nextKey;
        this.#nextKey += BigInt(n);
        return first;
      },
    };
  }

  /** Rows touched and files written incrementally or whole, for `status`. */
  writeStats(): WriteStats {
    return { ...structuredClone(this.#writeStats), diffStateCache: this.#diffStates.stats() };
  }

  /**
   * fts_postings in one term order again (postings.ts rewriteInTermOrder),
   * once a sync has appended many postings: at least `minRows` and a quarter
   * of the table. Returns whether it ran.
   */
  async clusterPostings(minRows = 100_000): Promise<boolean> {
    // A bulk load's batches left their postings unsorted, maybe in an earlier process that stopped before its end.
    const unsorted = (await this.readState())[POSTINGS_ORDER] === UNSORTED;
    if (this.#bulkLoad) {
      await this.#setThreads(this.#threads);
      await this.#setOptimisticWrites(true);
    }
    if (!unsorted && this.#postingsUnclustered < minRows) return false;
    const total = Number(await this.#scalar(`SELECT count(*) FROM fts_postings`));
    if (!unsorted && this.#postingsUnclustered * 4 < total) return false;
    const parts = this.#parts?.any === true ? this.#parts.files : undefined;
    if (total > 0 || parts !== undefined) {
      await rewriteInTermOrder(this.#db.connection, { ...(parts ?? { postings: [], terms: [] }), merged: (c) => setSyncState(c, { [POSTINGS_PARTS]: "" }) });
    }
    if (parts !== undefined || this.#parts?.on === true) this.#parts?.merged();
    if (unsorted) await this.setState({ [POSTINGS_ORDER]: "" });
    this.#postingsUnclustered = 0;
    this.#bulkLoad = false;
    return total > 0 || parts !== undefined;
  }

  /**
   * Writes the WAL into the database file now (DuckDB's CHECKPOINT). The
   * service calls it once its start-up catch-up is done: the catch-up's
   * batches let the WAL grow to BULK_CHECKPOINT_THRESHOLD, and otherwise the
   * first live edit's commit checkpointed all of it (1.4 s of a one-block
   * edit after a 20,000-file catch-up). False when DuckDB refused: the next
   * commit over the threshold does it then. (A read transaction open beside
   * it does not stop it: checked with DuckDB 1.x, the WAL goes to 0 bytes.)
   */
  async checkpoint(): Promise<boolean> {
    return this.#db.connection.run("CHECKPOINT").then(() => true, () => false);
  }

  /**
   * A load of a whole graph (a first full index, a forced re-index): its
   * batches leave their postings unsorted, and the next `clusterPostings`
   * sorts the table once, whatever its size. Recorded in sync_state first,
   * so a load cut short is sorted by the next sync's end. `postingsAside`:
   * the batches' postings wait in Parquet parts and join the table in that
   * sort (postings-parts.ts).
   */
  async startBulkLoad(options: { threads?: number; postingsAside?: boolean } = {}): Promise<void> {
    await this.setState({ [POSTINGS_ORDER]: UNSORTED });
    this.#bulkLoad = true;
    // Only where nothing reads fts_postings before the load's end (a one-shot sync): a service's catch-up serves
    // searches meanwhile, and its search model follows each commit's postings in the table.
    if (options.postingsAside === true) this.#parts?.start();
    // The batches' unsorted postings into the WAL, not the file: DuckDB writes an insert larger than a row group
    // (122,880 rows; a batch of 1,024 files adds about 210,000 postings) straight into the database file, where
    // the sort at the end left them as free blocks. A full index of 20,000 files: 95-105 MB -> 66-68 MB of file,
    // its time and peak RSS unchanged (5 interleaved runs each: session 8.7 -> 8.9 s mean, within the noise).
    // A load whose WAL passes BULK_CHECKPOINT_THRESHOLD still checkpoints them unsorted (100,000 files: 538 -> 514 MB).
    await this.#setOptimisticWrites(false);
    // Fewer DuckDB threads while the parse threads fill the cores (a full index of 20,000 files on 2 cores:
    // session 13.8 -> 11.2 s, CPU 32 -> 25 s); clusterPostings gives the sort all of them again.
    if (options.threads !== undefined && options.threads < this.#threads) await this.#setThreads(Math.max(1, options.threads));
  }

  /** Drops what the writer remembers of the tables (files' blocks, clashing page names): for changes made around it (repair). */
  forgetDiffStates(): void {
    this.#diffStates.clear();
    this.#prefetched.clear();
    this.#clashing.forget();
  }

  /** How many diffs took a state read ahead (for tests). */
  get prefetchesTaken(): number {
    return this.#prefetched.taken;
  }

  /** Reads ahead the indexed side of the block diff of pages whose change is settling (diff-prefetch.ts): pages with indexed content and no diff cache entry. */
  async prefetchDiffStates(paths: readonly string[]): Promise<number> {
    await this.#paths.load(this.#db.connection);
    return this.#prefetched.read(this.#db.connection, paths, (path) => this.#paths.content.has(path) && !this.#diffStates.has(path));
  }

  /** For reads (search, status) that must not wait behind a batch: sees committed data only. */
  get readConnection(): DuckDBConnection {
    return this.#reader;
  }

  /** The connection search model loads read through (index-writer.worker.ts). */
  get loadConnection(): DuckDBConnection {
    return this.#loader;
  }

  /**
   * For change detection, as one JSON text each (see file-states.ts): DuckDB
   * builds it in one vectorised pass, it crosses to the main thread as one
   * string, and JSON.parse is far cheaper than converting 20,000 rows value
   * by value through the client (measured 160 ms for 20,000 rows).
   *
   * Every file's stamp: what decides which files a sync reads.
   */
  fileStampsJson(): Promise<string> {
    return this.#startRead(FILE_STAMPS_SQL);
  }

  /** Every file row, the rows of some paths, or those with a checksum. */
  async fileStatesJson(select?: FileRowSelection): Promise<string> {
    if (select === undefined) return this.#startRead(FILE_STATES_SQL);
    const reader = Array.isArray(select)
      ? await this.#db.connection.runAndReadAll(FILE_STATES_OF_SQL, [listValue([...select])], [LIST(VARCHAR)])
      : await this.#db.connection.runAndReadAll(FILE_STATES_WITH_CHECKSUM_SQL, [(select as { checksum: string }).checksum], [VARCHAR]);
    return String(reader.getRows()[0]?.[0]);
  }

  /**
   * A read of every file at a start, on one DuckDB thread: it hardly
   * parallelises (62 ms on 20,000 files with one thread or two), and the
   * main thread scans the folder meanwhile; a second DuckDB thread only took
   * cores from it. No-op catch-up of 20,000 files, 25 interleaved runs:
   * median 534 -> 503 ms.
   */
  async #startRead(sql: string): Promise<string> {
    const before = this.#threadsNow;
    if (before > 1) await this.#setThreads(1);
    try {
      return String(await this.#scalar(sql));
    } finally {
      // Back to what was set, not to the configured count: a full re-index reads every row after its bulk load began
      // with fewer threads, and giving DuckDB both cores back there took that run 8.5 -> 9.5 s and +45 MB.
      if (before > 1) await this.#setThreads(before);
    }
  }

  async #setOptimisticWrites(on: boolean): Promise<void> {
    await this.#db.connection.run(`SET enable_optimistic_write = ${on}`);
  }

  async #setThreads(threads: number): Promise<void> {
    await this.#db.connection.run(`SET threads = ${threads}`);
    this.#threadsNow = threads;
  }

  /**
   * Applies a batch in one transaction. `modelDelta`: a search model is
   * loaded, so read what the commit changed for its refresh
   * (search-model-refresh.ts), taken with `takeModelDelta()`.
   *
   * A batch DuckDB cannot fit in its memory limit is written again with more
   * room (memory-room.ts).
   */
  apply(batch: IndexBatch, options: { modelDelta?: boolean } = {}): Promise<BatchResult> {
    return withMemoryRoom(this.#db.connection, this.#memoryLimitMb, () => this.#applyOnce(batch, options));
  }

  async #applyOnce(batch: IndexBatch, options: { modelDelta?: boolean }): Promise<BatchResult> {
    const c = this.#db.connection;
    this.#modelDelta = { refreshable: false, delta: null };
    const changes: DiffChanges = { keys: [], gonePostings: new Map(), overflow: false, firstBlocks: new Map(), ...(options.modelDelta === true ? { postings: [] } : {}) };
    const result: BatchResult = { indexed: 0, deleted: 0, renamed: 0, metadata: 0, blocks: 0, pageNameClashes: [] };
    const keyBefore = this.#nextKey;
    const unclusteredBefore = this.#postingsUnclustered;
    let t = performance.now();
    let rows = 0;
    let diffed: DiffedWrites = { paths: new Set(), names: new Set(), rows: 0, blocks: 0, postingsGone: false };
    let held: HeldClaim[];
    let replaced: Replaced;
    let bases = new Map<string, bigint>();
    /** The files the batch writes whole (not by a block diff). */
    let docs: Extract<FileWrite, { op: "index" }>[] = [];
    await this.#checkpoints.before(c, batch.writes.length, this.#bulkLoad);
    await this.#paths.load(c);
    const parts = this.#parts;
    // Postings in parts cannot be deleted: a batch that would (a path the load wrote, written again or deleted)
    // first moves them into fts_postings, and the load goes on there. (No search model reads a one-shot load.)
    const mergeFirst = parts !== null && parts.holdsAny(batch.writes.flatMap(pathsOf));
    /** The part this batch writes its postings to, if any. */
    const part = parts !== null && parts.on && !mergeFirst ? parts.partFor(keyBefore) : undefined;
    let partWritten = false;
    await c.run("BEGIN TRANSACTION");
    try {
      if (mergeFirst) {
        await mergeParts(this.#run, parts.files, "table");
        await setSyncState(c, { [POSTINGS_PARTS]: "" });
      }
      // Under index/manual, claims of owned page names are held: the batch then writes their skipped rows only.
      ({ batch, held } = await holdClaims(c, batch, this.#graph, (path) => this.#paths.files.has(path)));
      if (this.#writeOptions.incremental) diffed = await writeDiffs(c, batch.writes, { ...this.#diffContext, changes });
      rows += diffed.rows;
      result.blocks += diffed.blocks;
      replaced = await deleteReplaced(c, batch.writes, this.#paths, diffed.paths);
      rows += replaced.rows;
      t = lap("delete", t);

      const names: BatchNames = { gone: replaced.goneNames, touched: new Set(diffed.names), joined: new Set() };
      for (const write of batch.writes) {
        if (write.op !== "rename") continue;
        const renamed = await renamePage(c, write.from, write.file.path, this.#graph);
        if (renamed === null) continue;
        rows += renamed.rows;
        names.gone.add(renamed.before);
        names.touched.add(renamed.after);
        names.joined.add(renamed.after);
      }
      await appendFiles(c, batch.writes);
      rows += batch.writes.filter((w) => w.op !== "delete").length;
      t = lap("files", t);
      docs = batch.writes.filter((w): w is Extract<FileWrite, { op: "index" }> => w.op === "index" && !diffed.paths.has(w.file.path));
      for (const w of docs) completeRows(w, this.#graph);
      const aside = part === undefined ? {} : { postingsPart: part };
      const whole = await appendDocuments({ connection: c, scratchFiles: this.#scratchFiles, run: this.#run, termOrder: !this.#bulkLoad, ...aside }, docs, this.#nextKey);
      partWritten = whole.part !== undefined;
      this.#nextKey = whole.nextKey;
      this.#postingsUnclustered += whole.postings;
      bases = whole.bases;
      if (replaced.keptIds > 0) await restoreKeptIds(c, keyBefore);
      result.blocks += whole.blocks;
      rows += docs.length + whole.blocks + whole.refsAndPostings;
      for (const d of docs) {
        names.touched.add(d.doc.page.name);
        if (!replaced.pagesBefore.has(`${d.file.path}\0${d.doc.page.name}`)) names.joined.add(d.doc.page.name);
      }
      const postingsGone = replaced.contentGone.length > 0 || diffed.postingsGone;
      if (postingsGone || result.blocks > 0) await updateDocumentFrequencies(this.#run, keyBefore, postingsGone);
      if (partWritten && part !== undefined && parts !== null) {
        parts.sync(part);
        await setSyncState(c, { [POSTINGS_PARTS]: parts.listWith(keyBefore) });
      }
      t = lap("blocks+postings", t);
      Object.assign(result, await this.#settleClashes(batch, names, held));
      t = lap("clashes", t);
      await c.run("COMMIT");
      t = lap("commit", t);
    } catch (error) {
      // Its postings were not appended after all (a batch split in halves and written again would count them twice).
      this.#postingsUnclustered = unclusteredBefore;
      await this.#rolledBack(batch.writes, keyBefore);
      if (part !== undefined) parts?.discard(part);
      throw error;
    }
    if (mergeFirst) parts.merged();
    if (partWritten) parts?.committed(keyBefore, docs.map((d) => d.file.path));
    this.#committed(batch.writes, result, diffed.paths, replaced.keptIds === 0 ? bases : new Map());
    countBatch(this.#writeStats, { rowsTouched: rows, incrementalFiles: diffed.paths.size, wholeFiles: result.indexed - diffed.paths.size });
    this.#modelDelta = await committedChange(c, {
      writes: batch.writes, result, changes, contentGone: replaced.contentGone, held: held.length, firstNewKey: keyBefore,
      wholePaths: docs.map((d) => d.file.path),
    }, options.modelDelta === true);
    return result;
  }

  /**
   * A batch's page-name clashes, inside its transaction: reconciled over the
   * names it touched (page-name-clashes.ts), unless it cannot have changed
   * one, then recorded with its held claims (page-name-holds.ts), so a clash
   * and its conflicts row commit together.
   */
  async #settleClashes(batch: IndexBatch, names: BatchNames, held: HeldClaim[]): Promise<Pick<BatchResult, "pageNameClashes" | "held" | "released">> {
    const c = this.#db.connection;
    const scope = {
      names: [...names.gone, ...names.touched],
      // A rename's or an edit's page name is among the names already.
      paths: batch.writes.flatMap((w) => (w.op === "metadata" ? [w.file.path] : [])),
      joined: names.joined,
    };
    let clashes: Reconciled["joined"] = [];
    if (await this.#clashing.mayChange(c, scope)) {
      const reconciled = await reconcilePageNameClashes(c, scope);
      this.#clashing.reconciled(scope, reconciled.clashing);
      clashes = reconciled.joined;
    }
    return recordClashes(c, batch.pageNameClash, clashes, held, [...names.gone]);
  }

  /** After a failed batch: rolled back, and nothing the writer remembers describes what it did not commit. */
  async #rolledBack(writes: readonly FileWrite[], keyBefore: bigint): Promise<void> {
    const c = this.#db.connection;
    this.#nextKey = keyBefore;
    this.#clashing.forget();
    this.#prefetched.drop(writes.flatMap(pathsOf));
    // The diffs' cache entries describe rows that were not committed.
    for (const w of writes) for (const path of pathsOf(w)) this.#diffStates.delete(path);
    await c.run("ROLLBACK").catch(() => {});
    for (const table of ["batch_docs", "batch_blocks", "batch_terms", "batch_df", "batch_kept"]) await c.run(`DELETE FROM ${table}`).catch(() => {});
  }

  /**
   * What the writer remembers of the paths a committed batch wrote: counts
   * in `result`, the path sets, the diff cache. `bases`: the base keys of
   * the pages written whole and given no kept id back (those are cached as
   * written, if large enough).
   */
  #committed(writes: readonly FileWrite[], result: BatchResult, diffedPaths: ReadonlySet<string>, bases: ReadonlyMap<string, bigint>): void {
    // What was read ahead of a page's write no longer equals its rows once any batch wrote it.
    this.#prefetched.drop(writes.flatMap(pathsOf));
    for (const w of writes) {
      result[w.op === "index" ? "indexed" : w.op === "delete" ? "deleted" : w.op === "rename" ? "renamed" : "metadata"]++;
      this.#paths.track(w);
      // A path written other than by a diff no longer matches its cached blocks; a large page written whole
      // (and given no kept id back) is cached as written, so its next edit is a diff without reading it back.
      if (w.op !== "metadata" && !(w.op === "index" && diffedPaths.has(w.file.path))) for (const path of pathsOf(w)) this.#diffStates.delete(path);
      const base = w.op === "index" ? bases.get(w.file.path) : undefined;
      if (w.op === "index" && base !== undefined && w.doc.outline !== undefined && w.doc.blockCount >= this.#writeOptions.warmMinBlocks) {
        this.#diffStates.set(w.file.path, wholeWriteState(w.doc.outline, base, w.doc.page));
      }
    }
  }

  /**
   * What the last `apply` changed, for the search model (taken once):
   * `refreshable` when it left every page row as it was, and with
   * `modelDelta` what a loaded model needs to follow it.
   */
  takeModelDelta(): CommittedChange {
    const change = this.#modelDelta;
    this.#modelDelta = { refreshable: false, delta: null };
    return change;
  }

  readState(): Promise<Record<string, string>> {
    return readSyncState(this.#db.connection);
  }

  /** Records sync_state entries, all in one transaction. */
  setState(entries: Record<string, string>): Promise<void> {
    return writeSyncState(this.#db.connection, entries);
  }

  close(): void {
    rmSync(this.#scratchDir, { recursive: true, force: true });
    if (PROFILE) console.error("writer profile ms", Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, Math.round(v)])));
    this.#reader.closeSync();
    this.#loader.closeSync();
    this.#db.close();
  }

  /** One statement of a batch, timed under SYNC_PIPELINE_PROFILE=1; returns the rows it changed. */
  #run = async (name: string, sql: string): Promise<number> => {
    const t = performance.now();
    const changed = (await this.#db.connection.run(sql)).rowsChanged;
    lap(name, t);
    return changed;
  };

  async #scalar(sql: string): Promise<unknown> {
    const reader = await this.#db.connection.runAndReadAll(sql);
    return reader.getRows()[0]?.[0];
  }
}
