import { holdsNewcomers, isHeldRow } from "../index/page-name-claims.ts";
import type { ConflictStrategy } from "./conflict-types.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import type { IndexedStamp } from "../index/file-states.ts";
import type { DirectoryState } from "./directory-scan.ts";
import type { FileSnapshot } from "./file-snapshot.ts";

/** What the detector reads of an indexed file: its whole row (IndexedFileState), or its stamp (IndexedStamp). */
export type IndexedRow = Pick<IndexedFileState, "path" | "size" | "mtime" | "status" | "error">;

export type ChangeSet<S extends IndexedRow = IndexedFileState> = {
  /** Files whose size and mtime match the index: not read at all. */
  unchanged: number;
  /** New files, files whose size or mtime changed, and files to retry or repair: these get hashed. */
  toCheck: FileSnapshot[];
  /** Paths in `toCheck` whose row says indexed but whose indexed content disagrees with it: re-parse them. */
  repair: Set<string>;
  /** Indexed files no longer on disk: deleted, unless a new file turns out to be the same content moved. */
  vanished: S[];
  /** What the index knows of each path. */
  known: Map<string, S>;
};

/**
 * FileChangeDetector: size+mtime decide first; only files that differ go on
 * to be checksummed. That holds for skipped and failed files too: one that
 * was read (a binary page, a page the parser failed on) is not read again
 * until it changes. Two kinds are retried: a file that could not be read at
 * all (recorded with size and mtime 0, so it never matches: one failing
 * `open` per sync), and one skipped as too large that the current
 * `maxFileSizeBytes` would now take. A row that claims content its page
 * does not match (issue #13 row 1) is re-parsed whatever its size and mtime.
 */
export function detectChanges<S extends IndexedRow>(
  disk: DirectoryState,
  indexed: S[],
  options: {
    /** Whether the row's page disagrees with it: contentDisagrees for a whole row, `disagrees` for a stamp. */
    disagrees: (state: S) => boolean;
    force?: boolean;
    under?: string;
    maxFileSizeBytes?: number;
    pageNameClash?: ConflictStrategy;
  },
): ChangeSet<S> {
  const known = new Map(indexed.map((state) => [state.path, state]));
  const toCheck: FileSnapshot[] = [];
  const repair = new Set<string>();
  let unchanged = 0;
  for (const snapshot of disk.files.values()) {
    const state = known.get(snapshot.path);
    if (state !== undefined && options.disagrees(state)) {
      repair.add(snapshot.path);
      toCheck.push(snapshot);
      continue;
    }
    const same =
      state !== undefined &&
      state.size === snapshot.size &&
      state.mtime === snapshot.mtime &&
      !newlyWithinLimit(state, options.maxFileSizeBytes) &&
      // Held out by a page-name owner under a strategy no longer configured: indexed as the current one says.
      !(options.pageNameClash !== undefined && !holdsNewcomers(options.pageNameClash) && isHeldRow(state));
    if (same && !options.force) unchanged++;
    else toCheck.push(snapshot);
  }
  const prefix = options.under ? options.under.replace(/\/?$/, "/") : "";
  const vanished = indexed.filter(
    (state) =>
      !disk.files.has(state.path) &&
      state.path.startsWith(prefix) &&
      !disk.unreadable.some((folder) => folder === "" || state.path.startsWith(folder + "/")),
  );
  return { unchanged, toCheck, repair, vanished, known };
}

/** Status says indexed, but the page was parsed from other bytes, or there is no single page. */
export function contentDisagrees(state: IndexedFileState): boolean {
  return (state.status === "indexed" || state.status === "warning") &&
    state.contentChecksum !== undefined && state.contentChecksum !== state.checksum;
}

/** A stamp's own flag (computed by the same rule in SQL, file-states.ts). */
export function stampDisagrees(stamp: IndexedStamp): boolean {
  return stamp.disagrees;
}

function newlyWithinLimit(state: IndexedRow, maxFileSizeBytes: number | undefined): boolean {
  return state.status === "skipped" && maxFileSizeBytes !== undefined && state.size <= maxFileSizeBytes &&
    (state.error ?? "").startsWith("too large");
}
