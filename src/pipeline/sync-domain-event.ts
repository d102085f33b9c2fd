import type { FileStatus } from "../index/index-batch.ts";
import type { SyncSummary } from "./sync-summary.ts";
import type { ConflictStatus, ConflictStrategy, ConflictType } from "./conflict-types.ts";

/** The design's domain events, as one discriminated union, published in the order they happen. */
export type SyncDomainEvent =
  /** `unchanged` of the `files` on disk need no work (same size and mtime as indexed). */
  | { type: "SyncStarted"; files: number; unchanged: number; at: number }
  | { type: "FileChanged"; path: string; change: "create" | "update" | "delete" | "rename"; from?: string }
  | { type: "FileIndexed"; path: string; blocks: number; warnings: string[] }
  | { type: "FileSyncFailed"; path: string; status: Extract<FileStatus, "failed" | "skipped">; reason: string }
  /** A `conflicts` row was recorded (`name`: the page name of a pageNameClash); `status` open means held for `resolve`. */
  | { type: "ConflictDetected"; id: number; conflict: ConflictType; paths: string[]; strategy: ConflictStrategy; status: ConflictStatus; name?: string }
  | { type: "SyncCompleted"; summary: SyncSummary };

export type SyncEventListener = (event: SyncDomainEvent) => void;
