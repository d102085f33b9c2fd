import { availableParallelism } from "node:os";
import { readFileStamps, readFileStates, type Pools } from "../bulkheads/pools.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { SCHEMA_VERSION } from "../index/schema.ts";
import { PARSER_VERSION } from "../logseq/parser-version.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { GraphMissing, scanDirectory, type DirectoryState } from "./directory-scan.ts";
import { detectChanges, stampDisagrees, type ChangeSet } from "./file-change-detector.ts";
import type { IndexedStamp } from "../index/file-states.ts";
import type { SyncEventListener } from "./sync-domain-event.ts";
import { emptySummary, type SyncSummary } from "./sync-summary.ts";

/** The session's first two reads, when the caller started them early (`run --once` does, while its modules load). */
export type SessionReads = { disk: Promise<DirectoryState>; stamps: Promise<IndexedStamp[]> };

export type SyncSessionContext = {
  config: SyncConfiguration;
  graph: GraphConfig;
  pools: Pools;
  onEvent?: SyncEventListener;
};

/** The database file cannot be written (disk full): the run stops, the index keeps its last committed batch. */
export class IndexUnwritable extends Error {
  readonly code = "INDEX_UNWRITABLE";
  override name = "IndexUnwritable";
}

/**
 * SyncSession (StartDirectorySync): brings the index up to date with the
 * folder in one pass — scan, compare size+mtime, checksum what differs,
 * parse what changed, pair moves by checksum, delete what vanished. The
 * work goes through the SyncOrchestrator, the same loop the service runs
 * its catch-up and its live edits on (sync-orchestrator.ts); this adds what
 * a one-shot sync needs around it: the stamps instead of every row, its
 * summary, and the end of a bulk load.
 */
export async function runSyncSession(
  context: SyncSessionContext,
  options: { under?: string; reads?: SessionReads } = {},
): Promise<SyncSummary> {
  const started = performance.now();
  const { config, graph, pools } = context;
  const emit = context.onEvent ?? (() => {});

  const [disk, stamps] = await Promise.all([
    options.reads?.disk ?? scanDirectory(config.graph, graph, options.under),
    options.reads?.stamps ?? readFileStamps(pools),
  ]);
  const { force, format } = await startIndexFormat(pools, graph, stamps.length);
  if (force || stamps.length === 0) await startBulkLoad(pools, config, { postingsAside: true });
  const changes = detectChanges(disk, stamps, {
    disagrees: stampDisagrees, force, under: options.under, maxFileSizeBytes: config.maxFileSizeBytes, pageNameClash: config.conflicts.pageNameClash.strategy,
  });
  emit({ type: "SyncStarted", files: disk.files.size, unchanged: changes.unchanged, at: Date.now() });
  // A no-op catch-up, the usual start, has nothing to hand the orchestrator.
  const done = changes.toCheck.length + changes.vanished.length === 0 ? emptySummary() : await syncChanges(context, stamps, changes, force);
  const summary: SyncSummary = { ...done, files: disk.files.size, unchanged: changes.unchanged, durationMs: Math.round(performance.now() - started) };
  const finished = {
    index_format: format,
    last_sync_at: new Date().toISOString(),
    last_sync_summary: JSON.stringify({ ...summary, problems: summary.problems.length }),
  };
  await pools.writing.run(finished, { name: "setState" });
  await pools.writing.run(undefined, { name: "clusterPostings" });
  emit({ type: "SyncCompleted", summary });
  return summary;
}

/**
 * The files `changes` names, read, written and deleted through the
 * SyncOrchestrator, which starts from the stamps and the whole rows of
 * those files only. Returns what it wrote.
 */
async function syncChanges(context: SyncSessionContext, stamps: IndexedStamp[], changes: ChangeSet<IndexedStamp>, force: boolean): Promise<SyncSummary> {
  const { config, pools } = context;
  // Loaded here, not with this module: a no-op catch-up never needs the orchestrator's modules (about 30 ms).
  const [{ SyncOrchestrator }, { SyncPriority }] = await Promise.all([import("./sync-orchestrator.ts"), import("./sync-priority-calculator.ts")]);
  const rows = await readRows(pools, [...changes.toCheck.map((file) => file.path), ...changes.vanished.map((stamp) => stamp.path)], stamps.length);
  const orchestrator = await SyncOrchestrator.start(context, {
    // Enough files in flight to keep both pools busy; the bulkheads' bounded queues make a file wait when they are full.
    consumers: config.pools.hashing.threads + config.pools.parsing.threads + config.pools.parsing.maxQueue,
    maxQueued: Number.MAX_SAFE_INTEGER,
    // Every file of the run is queued before its deletes: a delete waits only for the files still being read.
    pairWindowMs: 10,
    maxPairWaitMs: Number.POSITIVE_INFINITY,
    oneShot: true,
  }, { stamps, rows: rows.values() });
  await orchestrator.queueScanned(changes, SyncPriority.catchUp, { force });
  await orchestrator.whenIdle();
  // Files whose graph folder could not be reached (unmounted mid-run): the service waits for it, a one-shot sync cannot.
  const { parked } = orchestrator.stats;
  await orchestrator.close();
  if (parked !== undefined && parked > 0) {
    throw new GraphMissing(
      `graph folder ${config.graph} could not be reached during the sync: ${parked} files were not synced and the index keeps them as they were. ` +
        "Run again once the folder is back.",
    );
  }
  if (orchestrator.unwritable !== undefined) {
    throw new IndexUnwritable(
      `cannot write the index ${config.database}: ${orchestrator.unwritable.message}. The disk holding it is full or refuses writes; ` +
        "the index keeps its last committed batch. Free space and run again to complete the sync.",
      { cause: orchestrator.unwritable },
    );
  }
  return orchestrator.summary;
}

/**
 * A sync that writes every file whole (a first full index, a forced
 * re-index) tells the writer: one sort of the postings at the end instead
 * of one per batch, and DuckDB keeps to the cores the parse threads leave it.
 * `postingsAside`: nothing searches the index before the load ends (a
 * one-shot sync), so the postings wait outside it (postings-parts.ts).
 */
export async function startBulkLoad(pools: Pick<Pools, "writing">, config: SyncConfiguration, options: { postingsAside?: boolean } = {}): Promise<void> {
  await pools.writing.run({ threads: availableParallelism() - config.pools.parsing.threads, ...options }, { name: "startBulkLoad" });
}

/**
 * Whether this sync must re-parse every file (the index was built with
 * another format). An empty index has nothing to redo, so its format is
 * recorded at once: a crash during a first full index then leaves committed
 * batches the next run keeps, instead of re-parsing them all. A forced
 * re-index of a non-empty index records its format only when it completes
 * (the caller does), so after a crash the next run re-parses everything.
 */
export async function startIndexFormat(
  pools: Pick<Pools, "writing">,
  graph: GraphConfig,
  indexedFiles: number,
): Promise<{ force: boolean; format: string }> {
  const state = await pools.writing.run<Record<string, string>>(undefined, { name: "readState" });
  const format = indexFormat(graph);
  if (state["index_format"] === format) return { force: false, format };
  if (indexedFiles === 0) {
    await pools.writing.run({ index_format: format }, { name: "setState" });
    return { force: false, format };
  }
  return { force: true, format };
}

/**
 * The whole rows of `paths` (file-states.ts): none for a no-op, every row
 * at once when the sync reads most files (a full re-index).
 */
async function readRows(pools: Pick<Pools, "writing">, paths: string[], indexed: number): Promise<Map<string, IndexedFileState>> {
  if (paths.length === 0) return new Map();
  const rows = await readFileStates(pools, paths.length * 2 > indexed ? undefined : paths);
  return new Map(rows.map((row) => [row.path, row]));
}

/** Changes when a re-parse of everything is needed: new schema, new parser rules, new graph settings. */
export function indexFormat(graph: GraphConfig): string {
  const { warnings: _ignored, ...settings } = graph;
  return JSON.stringify({ schema: SCHEMA_VERSION, parser: PARSER_VERSION, graph: settings });
}
