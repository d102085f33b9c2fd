import type { BatchResult, FileWrite } from "../index/index-batch.ts";
import { appliedWrites } from "../index/page-name-claims.ts";
import { clashEvent } from "./conflict-manager.ts";
import type { IndexView } from "./index-view.ts";
import type { SyncBatchId, SyncEventListener } from "./sync-domain-event.ts";
import { INDEX_WRITE_FAILED } from "./sync-status-model.ts";
import { recordWrite, type SyncSummary } from "./sync-summary.ts";

/** What a batch's outcome changes: the index view, the sync's summary and the domain events (SyncOrchestrator's). */
export type BatchOutcomeTarget = { view: IndexView; summary: SyncSummary; emit: SyncEventListener; oneShot: boolean };

/** A committed batch: each applied write counted, announced and committed into the view; its page-name clashes announced. */
export function recordCommitted(target: BatchOutcomeTarget, writes: FileWrite[], result: BatchResult, batchId: SyncBatchId): void {
  const { view, summary, emit } = target;
  // As applied: a held page-name claim wrote its skipped row only (page-name-holds.ts).
  for (const write of appliedWrites(writes, result)) {
    // Asked before `commit`: did the index hold the path before this write?
    const wasIndexed = (path: string) => view.has(path);
    recordWrite(summary, write, emit, { batchId, wasIndexed });
    view.commit(write);
  }
  // A service runs for weeks: keep only the latest problems.
  if (!target.oneShot && summary.problems.length > 100) summary.problems.splice(0, summary.problems.length - 100);
  summary.blocks += result.blocks;
  for (const write of writes) view.settle(write);
  for (const clash of result.pageNameClashes) emit({ ...clashEvent(clash), batchId });
}

/** A write that failed even alone (BatchProcessor's saga): its file failed, and the `failed` row written in its place, if any, is what the index holds. */
export function recordFailed(target: BatchOutcomeTarget, write: FileWrite, error: Error, recorded: FileWrite | undefined, batchId: SyncBatchId): void {
  const { view, summary, emit } = target;
  view.settle(write);
  if (recorded !== undefined) view.commit(recorded);
  const path = write.op === "delete" ? write.path : write.file.path;
  const reason = `${INDEX_WRITE_FAILED}: ${error.message}`;
  summary.failed++;
  summary.problems.push({ path, status: "failed", reason });
  emit({ type: "FileSyncFailed", path, status: "failed", reason, batchId });
}
