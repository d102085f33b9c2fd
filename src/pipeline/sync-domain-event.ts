import type { FileStatus } from "../index/index-batch.ts";
import type { SyncSummary } from "./sync-summary.ts";
import type { ConflictStatus, ConflictStrategy, ConflictType } from "./conflict-types.ts";

/**
 * SyncBatchId: the BatchProcessor's name for one transaction. Events that a
 * commit (or a failed commit) causes carry it, so a log or a stream reader can
 * tell which changes landed together.
 */
export type SyncBatchId = string;

/** The design's domain events, as one discriminated union, published in the order they happen. */
export type SyncDomainEvent =
  /** `unchanged` of the `files` on disk need no work (same size and mtime as indexed). */
  | { type: "SyncStarted"; files: number; unchanged: number; at: number }
  | { type: "FileChanged"; path: string; change: "create" | "update" | "delete" | "rename"; from?: string; batchId?: SyncBatchId }
  /** `change`: whether the index held the path before this commit. */
  | { type: "FileIndexed"; path: string; blocks: number; warnings: string[]; change?: "create" | "update"; batchId?: SyncBatchId }
  | { type: "FileSyncFailed"; path: string; status: Extract<FileStatus, "failed" | "skipped">; reason: string; batchId?: SyncBatchId }
  /** A read failed transiently (RetryManager); the file is read again after `delayMs`. */
  | { type: "FileSyncRetried"; path: string; attempt: number; delayMs: number; reason: string }
  /** A `conflicts` row was recorded (`name`: the page name of a pageNameClash); `status` open means held for `resolve`. */
  | { type: "ConflictDetected"; id: number; conflict: ConflictType; paths: string[]; strategy: ConflictStrategy; status: ConflictStatus; resolution?: string; name?: string; batchId?: SyncBatchId }
  | { type: "SyncCompleted"; summary: SyncSummary };

export type SyncEventListener = (event: SyncDomainEvent) => void;
