import { readFileStates, type Pools } from "../bulkheads/pools.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { BatchResult, FileWrite } from "../index/index-batch.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { SCHEMA_VERSION } from "../index/schema.ts";
import { PARSER_VERSION } from "../logseq/parser-version.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { BatchProcessor } from "./batch-processor.ts";
import { scanDirectory } from "./directory-scan.ts";
import { detectChanges } from "./file-change-detector.ts";
import { syncFile, type FileSyncContext } from "./file-sync.ts";
import type { SyncEventListener } from "./sync-domain-event.ts";
import { emptySummary, type SyncSummary } from "./sync-summary.ts";

export type SyncSessionContext = {
  config: SyncConfiguration;
  graph: GraphConfig;
  pools: Pools;
  onEvent?: SyncEventListener;
};

/**
 * SyncSession (StartDirectorySync): brings the index up to date with the
 * folder in one pass — scan, compare size+mtime, checksum what differs,
 * parse what changed, pair moves by checksum, delete what vanished — with
 * every database change going through the BatchProcessor.
 */
export async function runSyncSession(context: SyncSessionContext, options: { under?: string } = {}): Promise<SyncSummary> {
  const started = performance.now();
  const { config, graph, pools } = context;
  const emit = context.onEvent ?? (() => {});
  const summary = emptySummary();

  const state = await pools.writing.run<Record<string, string>>(undefined, { name: "readState" });
  const format = indexFormat(graph);
  const force = state["index_format"] !== format;

  const [disk, indexed] = await Promise.all([
    scanDirectory(config.graph, graph, options.under),
    readFileStates(pools),
  ]);
  const changes = detectChanges(disk, indexed, { force, under: options.under });
  summary.files = disk.files.size;
  summary.unchanged = changes.unchanged;
  emit({ type: "SyncStarted", files: disk.files.size, at: Date.now() });

  const batches = new BatchProcessor({
    ...config.batch,
    maxInFlight: config.pools.writing.maxQueue,
    write: (batch) => pools.writing.run<BatchResult>(batch, { name: "apply" }),
    onCommitted: (writes, result) => {
      for (const write of writes) recordWrite(summary, write, emit);
      summary.blocks += result.blocks;
      for (const clash of result.pageNameClashes) emit({ type: "ConflictDetected", ...clash });
    },
    onFailed: (write, error) => {
      const path = write.op === "delete" ? write.path : write.file.path;
      summary.failed++;
      summary.problems.push({ path, status: "failed", reason: `index write failed: ${error.message}` });
      emit({ type: "FileSyncFailed", path, status: "failed", reason: error.message });
    },
  });

  const fileContext: FileSyncContext = {
    graphRoot: config.graph,
    maxFileSizeBytes: config.maxFileSizeBytes,
    pools,
    vanishedByChecksum: new Map(
      changes.vanished.filter((v) => v.checksum !== null).map((v) => [v.checksum as string, v]),
    ),
  };
  // Enough files in flight to keep both pools busy; the bulkheads' bounded
  // queues make `syncFile` wait when they are full.
  const concurrency = config.pools.hashing.threads + config.pools.parsing.threads + config.pools.parsing.maxQueue;
  const renamedFrom = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < changes.toCheck.length) {
      const snapshot = changes.toCheck[next++];
      if (snapshot === undefined) break;
      const write = await syncFile(fileContext, snapshot.path, changes.known.get(snapshot.path), { force });
      if (write.op === "rename") renamedFrom.add(write.from);
      await batches.add(write);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, changes.toCheck.length)) }, worker));

  for (const vanished of changes.vanished) {
    if (!renamedFrom.has(vanished.path)) await batches.add({ op: "delete", path: vanished.path });
  }
  await batches.flush();

  summary.durationMs = Math.round(performance.now() - started);
  const finished = {
    index_format: format,
    last_sync_at: new Date().toISOString(),
    last_sync_summary: JSON.stringify({ ...summary, problems: summary.problems.length }),
  };
  await pools.writing.run(finished, { name: "setState" });
  emit({ type: "SyncCompleted", summary });
  return summary;
}

/** Changes when a re-parse of everything is needed: new schema, new parser rules, new graph settings. */
export function indexFormat(graph: GraphConfig): string {
  const { warnings: _ignored, ...settings } = graph;
  return JSON.stringify({ schema: SCHEMA_VERSION, parser: PARSER_VERSION, graph: settings });
}

/** Counts one committed write in `summary` and publishes its domain event. */
export function recordWrite(summary: SyncSummary, write: FileWrite, emit: SyncEventListener): void {
  switch (write.op) {
    case "delete":
      summary.deleted++;
      emit({ type: "FileChanged", path: write.path, change: "delete" });
      return;
    case "rename":
      summary.renamed++;
      emit({ type: "FileChanged", path: write.file.path, change: "rename", from: write.from });
      return;
    case "index":
      summary.indexed++;
      if (write.file.status === "warning") {
        summary.warnings++;
        summary.problems.push({ path: write.file.path, status: "warning", reason: write.file.error ?? "" });
      }
      emit({ type: "FileIndexed", path: write.file.path, blocks: write.doc.blockCount, warnings: write.doc.warnings });
      return;
    case "metadata": {
      const { status, path, error } = write.file;
      if (status === "failed" || status === "skipped") {
        summary[status]++;
        summary.problems.push({ path, status, reason: error ?? "" });
        emit({ type: "FileSyncFailed", path, status, reason: error ?? "" });
      } else {
        summary.touched++;
      }
      return;
    }
  }
}
