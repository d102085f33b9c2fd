/**
 * The `conflicts` section of the config schema, built from one table: per
 * conflict type, the strategies it accepts and what each means for it. A
 * strategy with nothing of its own to mean for a type is accepted as an
 * alias, so a user may set one strategy everywhere: every type accepts all
 * four. The meanings are the ConflictManager's
 * (src/pipeline/conflict-manager.ts); docs/conflicts.md has the table.
 */
const table = {
  modifiedDuringSync: {
    enum: ["filesystem", "index", "timestamp", "manual"],
    description: "The file changed between its read and the commit. filesystem: read it again and index its newest bytes. index: the change is not applied; the index keeps what it held, and the bytes on disk at detection (details.kept) stay out across syncs and restarts until the file is edited to other bytes. timestamp: the same as filesystem (the latest read is the newest side). manual: hold the path (nothing of it is written) until resolved.",
  },
  indexCorruption: {
    enum: ["filesystem", "index", "timestamp", "manual"],
    description: "A checksum pass finds a file's bytes differ from the indexed ones at the same size and mtime. filesystem: re-index the file. index: keep the indexed content (not reported again for the same bytes). timestamp: the file wins when its mtime is later than the time its row was indexed (files.indexed_at), else the index. manual: hold it until resolved.",
  },
  concurrentModification: {
    enum: ["filesystem", "index", "timestamp", "manual"],
    description: "A change of a path settled while a sync of that path was in flight. filesystem: sync it again after the one in flight. index: neither the change nor a read of the path made before the conflict was recorded is applied; the index keeps what it held, and the bytes on disk at detection (details.kept) stay out across syncs and restarts until the file is edited to other bytes. timestamp: the same as filesystem (the newest change is the file's). manual: hold the path (the sync in flight still completes) until resolved.",
  },
  permissionDenied: {
    enum: ["filesystem", "index", "timestamp", "manual"],
    description: "A file may not be read (EACCES/EPERM). filesystem: record it failed, keep its indexed content, retry on every sync. index: its row and content stay as indexed (no failure reported) until the file is readable again. timestamp: nothing newer can be read, so the index wins: its row and content stay as indexed (no failure reported) until the file is readable again. manual: write nothing for it until resolved.",
  },
  pageNameClash: {
    enum: ["filesystem", "index", "timestamp", "manual"],
    description: "Two files resolve to one page name. filesystem: both are indexed and flagged. index: the path that owns the name in the index keeps it; a file newly claiming it is held (not indexed, its files row skipped naming the owner; between new files in one batch the first by path order owns it) until the owner gives the name up, then it is synced again. timestamp: an alias of filesystem for now (both indexed and flagged), so a config setting timestamp everywhere works. manual: held as under index, the conflict open until resolved (filesystem: the newcomer is indexed too, both flagged; index: kept out until the file changes again).",
  },
} as const;

type Table = typeof table;

/** One type's block: `{ strategy }`, defaulting to filesystem (the file wins, as always). */
type StrategyBlock<T extends Table[keyof Table]> = {
  readonly type: "object";
  readonly additionalProperties: false;
  readonly default: {};
  readonly properties: {
    readonly strategy: { readonly type: "string"; readonly enum: T["enum"]; readonly default: "filesystem"; readonly description: T["description"] };
  };
};

function block<T extends Table[keyof Table]>(row: T): StrategyBlock<T> {
  return {
    type: "object",
    additionalProperties: false,
    default: {},
    properties: { strategy: { type: "string", enum: row.enum, default: "filesystem", description: row.description } },
  };
}

export const conflictStrategyBlocks = Object.fromEntries(
  Object.entries(table).map(([type, row]) => [type, block(row)]),
) as { readonly [K in keyof Table]: StrategyBlock<Table[K]> };
