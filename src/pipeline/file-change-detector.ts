import type { IndexedFileState } from "../index/index-writer.ts";
import type { DirectoryState } from "./directory-scan.ts";
import type { FileSnapshot } from "./file-snapshot.ts";

export type ChangeSet = {
  /** Files whose size and mtime match the index: not read at all. */
  unchanged: number;
  /** New files, files whose size or mtime changed, and files to retry: these get hashed. */
  toCheck: FileSnapshot[];
  /** Indexed files no longer on disk: deleted, unless a new file turns out to be the same content moved. */
  vanished: IndexedFileState[];
  /** What the index knows of each path. */
  known: Map<string, IndexedFileState>;
};

/**
 * FileChangeDetector: size+mtime decide first; only files that differ (or
 * that failed or were skipped last time) go on to be checksummed.
 */
export function detectChanges(
  disk: DirectoryState,
  indexed: IndexedFileState[],
  options: { force?: boolean; under?: string } = {},
): ChangeSet {
  const known = new Map(indexed.map((state) => [state.path, state]));
  const toCheck: FileSnapshot[] = [];
  let unchanged = 0;
  for (const snapshot of disk.files.values()) {
    const state = known.get(snapshot.path);
    const same =
      state !== undefined &&
      state.size === snapshot.size &&
      state.mtime === snapshot.mtime &&
      (state.status === "indexed" || state.status === "warning");
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
  return { unchanged, toCheck, vanished, known };
}
