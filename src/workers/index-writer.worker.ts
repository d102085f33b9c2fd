import { resourceLimits, type ResourceLimits } from "node:worker_threads";
import { DEFAULT_WRITE_OPTIONS, IndexWriter, type IndexedFileState } from "../index/index-writer.ts";
import type { SearchQuery, SearchHit } from "../index/search.ts";
import { DEFAULT_HIT_ROWS_MAX_BYTES, HitRowCache } from "../index/hit-rows.ts";
import { SearchModelCache } from "../index/search-model-cache.ts";
import type { PageHit, PageSearchQuery } from "../index/page-search.ts";
import { readStatus, type IndexStatus } from "../index/status.ts";
import type { GraphConfig } from "../logseq/types.ts";
import type { DatabaseLimits } from "../index/database.ts";
import type { AppliedBatch, BatchResult, IndexBatch } from "../index/index-batch.ts";
import { withTransfer } from "./transfer.ts";
import type { FileRowSelection } from "../index/file-states.ts";
import { readBacklinks, type BacklinksView } from "../index/backlinks.ts";
import { readBlock, type BlockView } from "../index/block-context.ts";
import { readPage, type PageView } from "../index/page-tree.ts";
import { readTasks, type TaskHit } from "../index/tasks-query.ts";
import type { BacklinksQuery, BlockQuery, PageQuery, TasksQuery } from "../index/read-params.ts";
import { checkTables, type TableCheck } from "../index/verify-tables.ts";
import { repairIndex, type RepairResult } from "../index/verify-repair.ts";
import { indexedAt as readIndexedAt, listConflicts, listLiveConflicts, markResolved, recordConflict as storeConflict } from "../pipeline/conflict-store.ts";
import type { DetectedConflict, ResolutionStrategy, SyncConflict } from "../pipeline/conflict-types.ts";

/**
 * The index-writer bulkhead's single thread. It alone holds the DuckDB
 * instance (one instance per file per process; a second one silently
 * diverges), so reads for `search` and `status` come here too.
 *
 * The pool hands this thread several tasks at once (see pools.ts): tasks
 * that use the write connection run one after another, in arrival order,
 * through `exclusive`; `search` and `status` read through a second
 * connection at once, so a query during a catch-up answers from the last
 * committed batch instead of waiting behind every batch queued before it.
 */
let writer: IndexWriter | undefined;
/** Searches rank over an in-memory model of the index, refreshed after a small commit, dropped after others. */
let searchModel: SearchModelCache | undefined;
/** The rows of recent search hits (hit-rows.ts), from the open on. */
let hitRows = new HitRowCache(0);
let writeChain: Promise<unknown> = Promise.resolve();

/** Reads on the read connection still running: `close` waits for them. */
const reads = new Set<Promise<unknown>>();

/** A read beside the write chain (see the top of this file), tracked so the database is never closed under it. */
function reading<T>(task: () => Promise<T>): Promise<T> {
  const run = task();
  reads.add(run);
  run.then(() => reads.delete(run), () => reads.delete(run));
  return run;
}

function exclusive<T>(task: () => Promise<T> | T): Promise<T> {
  const run = writeChain.then(task, task);
  writeChain = run.catch(() => {});
  return run;
}

function current(): IndexWriter {
  if (writer === undefined) throw new Error("index writer is not open");
  return writer;
}

/** Its answer tells that this thread has loaded its modules (prestartWriter in pools.ts); it names the thread's V8 limits. */
export function loaded(): ResourceLimits {
  return resourceLimits;
}

export function open(task: { database: string; graph: GraphConfig; limits: DatabaseLimits; diffStateMaxBytes?: number; hitRowsMaxBytes?: number }): Promise<void> {
  return exclusive(async () => {
    const options = task.diffStateMaxBytes === undefined ? undefined : { ...DEFAULT_WRITE_OPTIONS, diffStateMaxBytes: task.diffStateMaxBytes };
    if (writer !== undefined) return;
    writer = await IndexWriter.open(task.database, task.graph, task.limits, options);
    hitRows = new HitRowCache(task.hitRowsMaxBytes ?? DEFAULT_HIT_ROWS_MAX_BYTES);
  });
}

/** Every file's stamp as one JSON text (see `readFileStamps` and file-states.ts). */
export function fileStamps(): Promise<string> {
  return exclusive(() => current().fileStampsJson());
}

/** Every file row, or those selected, as one JSON text (see `readFileStates` and file-states.ts). */
export function fileStates(select?: FileRowSelection): Promise<string> {
  return exclusive(() => current().fileStatesJson(select));
}

export async function apply(batch: IndexBatch): Promise<AppliedBatch> {
  let result: BatchResult;
  try {
    result = await exclusive(() => {
      searchModel?.yieldToWrite();
      const writer = current();
      // A loaded model is refreshed from what the commit changed instead of dropped (search-model-refresh.ts).
      return writer.apply(batch, { modelDelta: searchModel?.wantsDelta === true }).finally(() => searchModel?.committed(writer.takeModelDelta()));
    });
  } catch (error) {
    release(batch.rows);
    throw error;
  }
  const rows = batch.rows;
  // Nothing here keeps a view of it past `apply` (block lines are decoded into strings): it goes back,
  // transferred, for the next batch's rows (bulkheads/apply-batch.ts RowBuffers).
  return rows === undefined || rows.byteLength === 0 ? result : withTransfer<AppliedBatch>({ ...result, rows }, [rows]);
}

/**
 * Detaches the rows buffer of a batch that failed (bulkheads/apply-batch.ts):
 * moved into a buffer nothing references, its memory goes back at this
 * thread's next scavenge, not at a full collection, which the writer seldom
 * needs (a 20,000-file full index once held every batch's rows, 164 MB,
 * until it ended).
 */
function release(rows: ArrayBuffer | undefined): void {
  if (rows !== undefined && rows.byteLength > 0) structuredClone(rows, { transfer: [rows] });
}

export function readState(): Promise<Record<string, string>> {
  return exclusive(() => current().readState());
}

/** After a sync: fts_postings in term order again when the sync appended many postings (IndexWriter.clusterPostings). */
export function clusterPostings(): Promise<boolean> {
  return exclusive(() => current().clusterPostings());
}

/** A change of these pages is settling: read their indexed side of the block diff ahead of the write (IndexWriter.prefetchDiffStates). */
export function prefetchDiff(paths: string[]): Promise<number> {
  return exclusive(() => current().prefetchDiffStates(paths));
}

/** The WAL into the database file, in turn with the batches (IndexWriter.checkpoint). */
export function checkpoint(): Promise<boolean> {
  return exclusive(() => current().checkpoint());
}

/** A sync of the whole graph starts: its batches' postings stay unsorted until `clusterPostings` (IndexWriter.startBulkLoad). */
export function startBulkLoad(options: { threads?: number } = {}): Promise<void> {
  return exclusive(() => current().startBulkLoad(options));
}

export function setState(entries: Record<string, string>): Promise<void> {
  return exclusive(() => current().setState(entries));
}

/** `graphRoot`: under index, a conflict with no key records the checksum of the bytes on disk it keeps out. */
export function recordConflict(task: DetectedConflict & { graphRoot?: string }): Promise<{ conflict: SyncConflict; repeated: boolean }> {
  const { graphRoot, ...conflict } = task;
  return exclusive(() => storeConflict(current().connection, conflict, graphRoot === undefined ? {} : { graphRoot }));
}

/** Reads through the write connection, in order: a conflict just recorded is listed. */
export function conflicts(options: { all?: boolean }): Promise<SyncConflict[]> {
  return exclusive(() => listConflicts(current().connection, options));
}

/** Through the write connection, in order: sees every batch committed before it. */
export function indexedAt(path: string): Promise<number | null> {
  return exclusive(() => readIndexedAt(current().connection, path));
}

/** Open conflicts and kept-out decisions, for a starting ConflictManager. */
export function liveConflicts(): Promise<SyncConflict[]> {
  return exclusive(() => listLiveConflicts(current().connection));
}

export function resolveConflict(task: { id: number; strategy: ResolutionStrategy; graphRoot: string }): Promise<SyncConflict> {
  return exclusive(() => markResolved(current().connection, task.id, task.strategy, { graphRoot: task.graphRoot }));
}

function newSearchModel(): SearchModelCache {
  const writer = current();
  // A load's snapshot starts between two writes: the cache then knows which commits it must apply to the model.
  return new SearchModelCache(writer.readConnection, { loadConnection: writer.loadConnection, pin: (start) => exclusive(start), rowCache: hitRows });
}

export function search(query: SearchQuery): Promise<SearchHit[]> {
  searchModel ??= newSearchModel();
  const model = searchModel;
  return reading(() => model.search(query));
}

/** The service's start-up catch-up is done: load the search model now rather than at the first search. */
export function warmSearch(): Promise<void> {
  searchModel ??= newSearchModel();
  const model = searchModel;
  return reading(() => model.warm());
}

export function searchPages(query: PageSearchQuery): Promise<PageHit[]> {
  searchModel ??= newSearchModel();
  const model = searchModel;
  return reading(() => model.searchPages(query));
}

export function status(): Promise<IndexStatus> {
  return reading(async () => {
    const writer = current();
    return { ...(await readStatus(writer.readConnection)), writes: { ...writer.writeStats(), hitRowCache: hitRows.stats() } };
  });
}

// The MCP tools' reads (src/mcp), beside `search` on the read connection.
export function getPage(query: PageQuery): Promise<PageView | null> {
  return reading(() => readPage(current().readConnection, query));
}

export function getBlock(query: BlockQuery): Promise<BlockView | null> {
  return reading(() => readBlock(current().readConnection, query));
}

export function backlinks(query: BacklinksQuery): Promise<BacklinksView | null> {
  return reading(() => readBacklinks(current().readConnection, query));
}

export function tasks(query: TasksQuery): Promise<TaskHit[]> {
  return reading(() => readTasks(current().readConnection, query));
}

/** `verify`: the tables' own rules and the files rows, from the last committed state. */
export function verifyTables(): Promise<TableCheck> {
  return reading(() => checkTables(current().readConnection));
}

/** `verify --repair`: one transaction on the write connection, in turn with the batches. */
export function repair(paths: string[]): Promise<RepairResult> {
  return exclusive(async () => {
    // Repair rewrites rows behind the writer's back: the block diff must read them afresh.
    current().forgetDiffStates();
    return repairIndex(current().connection, paths).finally(() => {
      searchModel?.invalidate();
      hitRows.clear();
    });
  });
}

export async function close(): Promise<void> {
  // The reads beside the write chain, and a search model still loading, finish first: the database is never
  // closed under a running query.
  await Promise.allSettled([...reads, searchModel?.settled()]);
  return exclusive(() => {
    writer?.close();
    writer = undefined;
    searchModel = undefined;
  });
}
