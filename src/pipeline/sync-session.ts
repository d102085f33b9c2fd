import { availableParallelism } from "node:os";
import { readFileStamps, readFileStates, type Pools } from "../bulkheads/pools.ts";
import { applyBatch } from "../bulkheads/apply-batch.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { FileWrite } from "../index/index-batch.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { SCHEMA_VERSION } from "../index/schema.ts";
import { PARSER_VERSION } from "../logseq/parser-version.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { BatchProcessor, isUnwritable } from "./batch-processor.ts";
import { scanDirectory, type DirectoryState } from "./directory-scan.ts";
import { detectChanges, stampDisagrees } from "./file-change-detector.ts";
import type { IndexedStamp } from "../index/file-states.ts";
import { checkRead, MAX_REREADS, syncFile, TransientReadError, type FileSyncContext } from "./file-sync.ts";
import { RetryManager } from "./retry-manager.ts";
import type { SyncBatchId, SyncEventListener } from "./sync-domain-event.ts";
import { clashEvent, ConflictManager } from "./conflict-manager.ts";
import { appliedWrites } from "../index/page-name-claims.ts";
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
 * parse what changed, pair moves by checksum, delete what vanished — with
 * every database change going through the BatchProcessor.
 */
export async function runSyncSession(
  context: SyncSessionContext,
  options: { under?: string; reads?: SessionReads } = {},
): Promise<SyncSummary> {
  const started = performance.now();
  const { config, graph, pools } = context;
  const emit = context.onEvent ?? (() => {});
  const summary = emptySummary();

  const [disk, stamps] = await Promise.all([
    options.reads?.disk ?? scanDirectory(config.graph, graph, options.under),
    options.reads?.stamps ?? readFileStamps(pools),
  ]);
  const { force, format } = await startIndexFormat(pools, graph, stamps.length);
  if (force || stamps.length === 0) await startBulkLoad(pools, config);
  const conflicts = await ConflictManager.start(pools, config, emit);
  const changes = detectChanges(disk, stamps, {
    disagrees: stampDisagrees, force, under: options.under, maxFileSizeBytes: config.maxFileSizeBytes, pageNameClash: config.conflicts.pageNameClash.strategy,
  });
  const rows = await readRows(pools, [...changes.toCheck.map((file) => file.path), ...changes.vanished.map((stamp) => stamp.path)], stamps.length);
  /** The whole row of an indexed path: read above for the files this sync reads or may delete, else now. */
  const knownRow = async (path: string): Promise<IndexedFileState | undefined> =>
    rows.get(path) ?? (changes.known.has(path) ? (await readFileStates(pools, [path]))[0] : undefined);
  const vanished = changes.vanished.flatMap((stamp) => rows.get(stamp.path) ?? []);
  summary.files = disk.files.size;
  summary.unchanged = changes.unchanged;
  emit({ type: "SyncStarted", files: disk.files.size, unchanged: changes.unchanged, at: Date.now() });

  /** Held page-name claims whose name lost its owner in this run: read again once the run's writes are in. */
  const released: string[] = [];
  /** Files taken by a worker and not yet added to a batch (or dropped). */
  let reading = 0;
  let next = 0;
  const batches = new BatchProcessor({
    ...config.batch,
    maxInFlight: config.pools.writing.maxQueue,
    moreComing: () => reading > 0 || next < changes.toCheck.length,
    write: (batch) => applyBatch(pools.writing, { ...batch, pageNameClash: config.conflicts.pageNameClash.strategy }),
    onCommitted: (writes, result, batchId) => {
      // As applied: a held page-name claim wrote its skipped row only (page-name-holds.ts).
      for (const write of appliedWrites(writes, result)) recordWrite(summary, write, emit, { batchId, wasIndexed: (path) => changes.known.has(path) });
      summary.blocks += result.blocks;
      for (const clash of result.pageNameClashes) emit({ ...clashEvent(clash), batchId });
      released.push(...conflicts.clashesCommitted(result));
    },
    onFailed: (write, error, _recorded, batchId) => {
      const path = write.op === "delete" ? write.path : write.file.path;
      summary.failed++;
      // The database cannot be written at all: one clear error at the end, not one line per file.
      if (isUnwritable(error)) return;
      summary.problems.push({ path, status: "failed", reason: `index write failed: ${error.message}` });
      emit({ type: "FileSyncFailed", path, status: "failed", reason: `index write failed: ${error.message}`, batchId });
    },
  });

  const vanishedByChecksum = new Map(
    vanished.filter((v) => v.checksum !== null && (v.status === "indexed" || v.status === "warning")).map((v) => [v.checksum as string, v]),
  );
  const fileContext: FileSyncContext = {
    graphRoot: config.graph,
    maxFileSizeBytes: config.maxFileSizeBytes,
    pools,
    claimMove: async (checksum) => {
      const moved = vanishedByChecksum.get(checksum);
      vanishedByChecksum.delete(checksum);
      return moved;
    },
    mayMove: () => vanishedByChecksum.size > 0,
  };
  // Enough files in flight to keep both pools busy; the bulkheads' bounded
  // queues make `syncFile` wait when they are full.
  const concurrency = config.pools.hashing.threads + config.pools.parsing.threads + config.pools.parsing.maxQueue;
  const renamedFrom = new Set<string>();
  // Transiently unreadable files wait here for their next attempt, not in a worker.
  const retries = new RetryManager(config.retry);
  const retried: string[] = [];
  const worker = async () => {
    for (;;) {
      const path = retried.shift() ?? changes.toCheck[next++]?.path;
      if (path === undefined) {
        if (retries.pending === 0) break;
        await retries.whenFired();
        continue;
      }
      reading++;
      try {
        await syncOne(path);
      } finally {
        reading--;
      }
    }
  };
  const syncOne = async (path: string): Promise<void> => {
    const known = await knownRow(path);
    // Held by an open conflict: left as indexed until `resolve` decides.
    if (conflicts.isHeld(path)) return;
    const options = { force: force || changes.repair.has(path) };
    const read = () => syncFile(fileContext, path, known, options);
    let write: FileWrite;
    try {
      write = await read();
      // Changed while being synced: read again here, at most MAX_REREADS times (file-sync.ts checkRead).
      for (let retry = 0; ; retry++) {
        const checked = await checkRead(config.graph, conflicts, path, write, retry === 0);
        if (checked === "skip") return;
        if (checked === "unchanged" || retry === MAX_REREADS) break;
        write = await read();
      }
    } catch (error) {
      if (!(error instanceof TransientReadError)) throw error;
      const attempt = retries.attempts(path) + 1;
      const delayMs = retries.retry(path, () => retried.push(path));
      if (delayMs !== undefined) {
        emit({ type: "FileSyncRetried", path, attempt, delayMs, reason: error.message });
        return;
      }
      write = error.write;
      if (write.op === "metadata") write.file.error = `${error.message} (${attempt} attempts)`;
    }
    if (conflicts.isHeld(path)) return;
    if (write.op === "rename") renamedFrom.add(write.from);
    if ((await conflicts.check(path, known, write)) === "skip") return;
    await batches.add(write);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, changes.toCheck.length)) }, worker));

  for (const { path } of changes.vanished) {
    if (!renamedFrom.has(path) && !conflicts.isHeld(path)) await batches.add({ op: "delete", path });
  }
  await batches.flush();
  for (let path = released.shift(); path !== undefined && batches.unwritable === undefined; path = released.shift()) {
    if (conflicts.isHeld(path) || !disk.files.has(path)) continue;
    await batches.add(await syncFile(fileContext, path, await knownRow(path), { force: true }));
    if (released.length === 0) await batches.flush();
  }
  if (batches.unwritable !== undefined) {
    throw new IndexUnwritable(
      `cannot write the index ${config.database}: ${batches.unwritable.message}. The disk holding it is full or refuses writes; ` +
        "the index keeps its last committed batch. Free space and run again to complete the sync.",
      { cause: batches.unwritable },
    );
  }

  summary.durationMs = Math.round(performance.now() - started);
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
 * A sync that writes every file whole (a first full index, a forced
 * re-index) tells the writer: one sort of the postings at the end instead
 * of one per batch, and DuckDB keeps to the cores the parse threads leave it.
 */
export async function startBulkLoad(pools: Pick<Pools, "writing">, config: SyncConfiguration): Promise<void> {
  await pools.writing.run({ threads: availableParallelism() - config.pools.parsing.threads }, { name: "startBulkLoad" });
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

/**
 * Counts one committed write in `summary` and publishes its domain event,
 * tagged with the batch it committed in. `wasIndexed` tells whether the index
 * held a path before this batch (a FileIndexed is then an update, else a create).
 */
export function recordWrite(
  summary: SyncSummary,
  write: FileWrite,
  emit: SyncEventListener,
  commit: { batchId: SyncBatchId; wasIndexed: (path: string) => boolean },
): void {
  const { batchId } = commit;
  switch (write.op) {
    case "delete":
      summary.deleted++;
      emit({ type: "FileChanged", path: write.path, change: "delete", batchId });
      return;
    case "rename":
      summary.renamed++;
      emit({ type: "FileChanged", path: write.file.path, change: "rename", from: write.from, batchId });
      return;
    case "index":
      summary.indexed++;
      if (write.file.status === "warning") {
        summary.warnings++;
        summary.problems.push({ path: write.file.path, status: "warning", reason: write.file.error ?? "" });
      }
      emit({
        type: "FileIndexed", path: write.file.path, blocks: write.doc.blockCount, warnings: write.doc.warnings,
        change: commit.wasIndexed(write.file.path) ? "update" : "create", batchId,
      });
      return;
    case "metadata": {
      const { status, path, error } = write.file;
      if (status === "failed" || status === "skipped") {
        summary[status]++;
        summary.problems.push({ path, status, reason: error ?? "" });
        emit({ type: "FileSyncFailed", path, status, reason: error ?? "", batchId });
      } else {
        summary.touched++;
      }
      return;
    }
  }
}
