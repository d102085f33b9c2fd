import type { FileStatus } from "./index-batch.ts";
import type { IndexedFileState } from "./index-writer.ts";

/**
 * What the writer knows of files, for change detection, as one JSON object
 * of columns (one list per field) rather than a list of rows: at 20,000
 * files JSON.parse reads them in 15 instead of 27 ms, on the main thread.
 * Each list is ordered by the files row's rowid, so the lists line up
 * whatever order DuckDB's threads aggregate in.
 *
 * Two reads. Every sync starts with the stamps of all files (IndexedStamp:
 * size, mtime, status, and whether the page disagrees with its row): all
 * that decides which files to read. Only the files it reads or may delete
 * then need their whole rows (IndexedFileState: checksum, id seed, the
 * page's checksum). At 20,000 files the stamps are 1.5 of the rows' 3.3 MB
 * of JSON: the checksums alone were 1.3 MB. A no-op catch-up waits for the
 * stamps (37-44 instead of 64-80 ms in DuckDB, 5 instead of 15-20 ms to
 * parse) and reads no rows at all.
 */

/** What change detection needs of an indexed file (file-change-detector.ts). */
export type IndexedStamp = Pick<IndexedFileState, "path" | "size" | "mtime" | "status" | "error"> & {
  /** The row says indexed but its page was parsed from other bytes, or there is no single page (contentDisagrees). */
  disagrees: boolean;
};

type Columns = Record<string, unknown[]>;

/** The page's checksum differs from the file row's (either may be missing). */
const DIFFERS = "p.checksum IS DISTINCT FROM f.checksum";

const STAMP_COLUMNS = {
  path: "f.path",
  size: "f.size::DOUBLE",
  mtime: "f.mtime",
  status: "f.status",
  error: "f.error",
  disagrees: `f.status IN ('indexed', 'warning') AND ${DIFFERS}`,
};

const STATE_COLUMNS = {
  path: "f.path",
  size: "f.size::DOUBLE",
  mtime: "f.mtime",
  checksum: "f.checksum",
  status: "f.status",
  error: "f.error",
  idSeed: "f.id_seed",
  differs: DIFFERS,
  /** The page's checksum where `differs`, else null. */
  content: `CASE WHEN ${DIFFERS} THEN p.checksum END`,
};

function columnsSql(columns: Record<string, string>, where = ""): string {
  const lists = Object.entries(columns).map(([name, sql]) => `${name}: coalesce(list(${sql} ORDER BY f.rowid), [])`);
  return `SELECT to_json({${lists.join(", ")}})::VARCHAR FROM files f LEFT JOIN pages p ON p.path = f.path${where}`;
}

/** Every file's IndexedStamp as one JSON text (IndexWriter.fileStampsJson). */
export const FILE_STAMPS_SQL = columnsSql(STAMP_COLUMNS);

/** Every file's IndexedFileState as one JSON text (IndexWriter.fileStatesJson). */
export const FILE_STATES_SQL = columnsSql(STATE_COLUMNS);

/** The IndexedFileStates of the paths in the VARCHAR[] parameter $1. */
export const FILE_STATES_OF_SQL = columnsSql(STATE_COLUMNS, ` WHERE f.path IN (SELECT unnest($1::VARCHAR[]))`);

/** Which rows a read of file states returns: those of some paths, or those with a checksum (all when absent). */
export type FileRowSelection = readonly string[] | { checksum: string };

/** The IndexedFileStates whose checksum is the VARCHAR parameter $1 (a moved file's, IndexView.pathsWithChecksum). */
export const FILE_STATES_WITH_CHECKSUM_SQL = columnsSql(STATE_COLUMNS, ` WHERE f.checksum = $1`);

export function fileStampsFromJson(text: string): IndexedStamp[] {
  const c = JSON.parse(text) as Columns;
  const stamps = new Array<IndexedStamp>(lengthOf(c));
  for (let i = 0; i < stamps.length; i++) {
    stamps[i] = {
      path: c["path"]?.[i] as string,
      size: c["size"]?.[i] as number,
      mtime: c["mtime"]?.[i] as number,
      status: c["status"]?.[i] as FileStatus,
      error: c["error"]?.[i] as string | null,
      disagrees: c["disagrees"]?.[i] === true,
    };
  }
  return stamps;
}

export function fileStatesFromJson(text: string): IndexedFileState[] {
  const c = JSON.parse(text) as Columns;
  const states = new Array<IndexedFileState>(lengthOf(c));
  for (let i = 0; i < states.length; i++) {
    const state: IndexedFileState = {
      path: c["path"]?.[i] as string,
      size: c["size"]?.[i] as number,
      mtime: c["mtime"]?.[i] as number,
      checksum: c["checksum"]?.[i] as string | null,
      status: c["status"]?.[i] as FileStatus,
      error: c["error"]?.[i] as string | null,
      idSeed: c["idSeed"]?.[i] as string | null,
    };
    if (c["differs"]?.[i] === true) state.contentChecksum = c["content"]?.[i] as string | null;
    states[i] = state;
  }
  return states;
}

function lengthOf(columns: Columns): number {
  return columns["path"]?.length ?? 0;
}
