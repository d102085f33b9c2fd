import type { FileStatus } from "./index-batch.ts";
import type { IndexedFileState } from "./index-writer.ts";

/**
 * What the writer knows of every file (for change detection at every
 * start), as one JSON object of columns, one list per field, with the page's
 * content checksum only where it differs from the file's (an indexed row
 * whose page was parsed from other bytes, or that has no page): elsewhere it
 * is null and `differs` false, which the change detector reads as "agrees"
 * (see IndexedFileState).
 *
 * Columns rather than a list of rows: at 20,000 files JSON.parse reads
 * them in 15 instead of 27 ms, on the main thread that a no-op catch-up
 * waits for (it scans the folder meanwhile). Each list is ordered by the
 * files row's rowid, so the lists line up whatever order DuckDB's threads
 * aggregate in.
 */
type FileStateColumns = {
  path: string[];
  size: number[];
  mtime: number[];
  checksum: (string | null)[];
  status: FileStatus[];
  error: (string | null)[];
  idSeed: (string | null)[];
  differs: boolean[];
  /** The page's checksum where `differs`, else null. */
  content: (string | null)[];
};

const COLUMNS: Record<keyof FileStateColumns, string> = {
  path: "f.path",
  size: "f.size::DOUBLE",
  mtime: "f.mtime",
  checksum: "f.checksum",
  status: "f.status",
  error: "f.error",
  idSeed: "f.id_seed",
  differs: "p.checksum IS DISTINCT FROM f.checksum",
  content: "CASE WHEN p.checksum IS DISTINCT FROM f.checksum THEN p.checksum END",
};

/** Builds the FileStateColumns as one JSON text, in one vectorised pass (see IndexWriter.fileStatesJson). */
export const FILE_STATES_SQL = `SELECT to_json({${
  Object.entries(COLUMNS).map(([name, sql]) => `${name}: coalesce(list(${sql} ORDER BY f.rowid), [])`).join(", ")
}})::VARCHAR FROM files f LEFT JOIN pages p ON p.path = f.path`;

export function fileStatesFromJson(text: string): IndexedFileState[] {
  const c = JSON.parse(text) as FileStateColumns;
  const states = new Array<IndexedFileState>(c.path.length);
  for (let i = 0; i < c.path.length; i++) {
    const state: IndexedFileState = {
      path: c.path[i] as string,
      size: c.size[i] as number,
      mtime: c.mtime[i] as number,
      checksum: c.checksum[i] as string | null,
      status: c.status[i] as FileStatus,
      error: c.error[i] as string | null,
      idSeed: c.idSeed[i] as string | null,
    };
    if (c.differs[i] === true) state.contentChecksum = c.content[i] as string | null;
    states[i] = state;
  }
  return states;
}
