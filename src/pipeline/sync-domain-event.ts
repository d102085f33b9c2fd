import type { FileStatus } from "../index/index-batch.ts";
import type { SyncSummary } from "./sync-summary.ts";

/** The design's domain events, as one discriminated union, published in the order they happen. */
export type SyncDomainEvent =
  /** `unchanged` of the `files` on disk need no work (same size and mtime as indexed). */
  | { type: "SyncStarted"; files: number; unchanged: number; at: number }
  | { type: "FileChanged"; path: string; change: "create" | "update" | "delete" | "rename"; from?: string }
  | { type: "FileIndexed"; path: string; blocks: number; warnings: string[] }
  | { type: "FileSyncFailed"; path: string; status: Extract<FileStatus, "failed" | "skipped">; reason: string }
  /** A read failed transiently (RetryManager); the file is read again after `delayMs`. */
  | { type: "FileSyncRetried"; path: string; attempt: number; delayMs: number; reason: string }
  | { type: "ConflictDetected"; name: string; paths: string[] }
  | { type: "SyncCompleted"; summary: SyncSummary };

export type SyncEventListener = (event: SyncDomainEvent) => void;
