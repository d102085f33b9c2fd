/**
 * SyncConflict: something the sync cannot settle by the usual rule, recorded
 * in the `conflicts` table and published as ConflictDetected. Which side
 * wins is the type's ConflictStrategy (config `conflicts.<type>.strategy`).
 */
export const ConflictType = {
  /** The file's size or mtime changed between its read and the commit of what was read. */
  modifiedDuringSync: "modifiedDuringSync",
  /** A files row whose bytes on disk differ although size and mtime are the same (found by a checksum pass). */
  indexCorruption: "indexCorruption",
  /** A new change of a path settled while a sync of that same path was still in flight. */
  concurrentModification: "concurrentModification",
  /** The file exists but may not be read (EACCES/EPERM). */
  permissionDenied: "permissionDenied",
  /** Two files resolve to one page name. */
  pageNameClash: "pageNameClash",
} as const;
export type ConflictType = (typeof ConflictType)[keyof typeof ConflictType];

export const ConflictStrategy = {
  /** The file on disk wins: today's behaviour. */
  filesystem: "filesystem",
  /** The index keeps what it holds; the file's change is not applied. */
  index: "index",
  /** The newer side wins; what "newer" compares is per type (docs/conflicts.md). Recorded with the side it chose. */
  timestamp: "timestamp",
  /** Kept open, the file's change not applied, until `resolve` decides. */
  manual: "manual",
} as const;
export type ConflictStrategy = (typeof ConflictStrategy)[keyof typeof ConflictStrategy];

/** The strategies a user may pick in `resolve` (manual would only keep it open). */
export type ResolutionStrategy = Extract<ConflictStrategy, "filesystem" | "index">;

export type ConflictStatus = "open" | "resolved";

/** One row of the `conflicts` table. Times are ISO strings. */
export type SyncConflict = {
  id: number;
  type: ConflictType;
  paths: string[];
  detectedAt: string;
  details: Record<string, unknown>;
  strategy: ConflictStrategy;
  status: ConflictStatus;
  resolvedAt: string | null;
  resolution: string | null;
};

/** A conflict as detected, before it has an id. `key` makes two detections one conflict (see recordConflict). */
export type DetectedConflict = {
  type: ConflictType;
  paths: string[];
  details: Record<string, unknown>;
  strategy: ConflictStrategy;
  key?: string;
  /** The side applied at once when the strategy itself does not name one (timestamp); else the strategy. */
  resolution?: ResolutionStrategy;
};

export const conflictTypes = Object.values(ConflictType);

export function isConflictType(value: unknown): value is ConflictType {
  return typeof value === "string" && (conflictTypes as string[]).includes(value);
}

export function isResolutionStrategy(value: unknown): value is ResolutionStrategy {
  return value === "filesystem" || value === "index";
}
