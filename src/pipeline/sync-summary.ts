import type { FileWrite } from "../index/index-batch.ts";
import type { SyncBatchId, SyncEventListener } from "./sync-domain-event.ts";

/** What one sync session did. */
export type SyncSummary = {
  /** Graph files found on disk. */
  files: number;
  unchanged: number;
  indexed: number;
  renamed: number;
  deleted: number;
  /** Same content, metadata refreshed (e.g. mtime touched). */
  touched: number;
  skipped: number;
  failed: number;
  /** Indexed with a warning (bad UTF-8 replaced, empty, page name clash...). */
  warnings: number;
  blocks: number;
  durationMs: number;
  /** Files not cleanly synced in this session, with the reason. */
  problems: { path: string; status: string; reason: string }[];
};

export function emptySummary(): SyncSummary {
  return {
    files: 0, unchanged: 0, indexed: 0, renamed: 0, deleted: 0, touched: 0,
    skipped: 0, failed: 0, warnings: 0, blocks: 0, durationMs: 0, problems: [],
  };
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
