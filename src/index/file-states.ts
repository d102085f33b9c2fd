import type { FileStatus } from "./index-batch.ts";
import type { IndexedFileState } from "./index-writer.ts";

/**
 * What the writer knows of every file (for change detection at every
 * start), as one JSON text of arrays rather than objects, with the page's
 * content checksum only where it differs from the file's (an indexed row
 * whose page was parsed from other bytes, or that has no page): elsewhere it
 * is left out, which the change detector reads as "agrees" (see
 * IndexedFileState). At 20,000 files: 3.4 instead of 6.0 MB for DuckDB to
 * build, for the main thread to copy and for JSON.parse to read.
 */
type FileStateLine = [
  path: string,
  size: number,
  mtime: number,
  checksum: string | null,
  status: FileStatus,
  error: string | null,
  idSeed: string | null,
  contentDiffers: boolean,
  /** The page's checksum when contentDiffers, else null. */
  contentChecksum: string | null,
];

/** Builds the FileStateLine list as one JSON text, in one vectorised pass (see IndexWriter.fileStatesJson). */
export const FILE_STATES_SQL = `SELECT coalesce(to_json(list(json_array(f.path, f.size::DOUBLE, f.mtime, f.checksum, f.status, f.error,
    f.id_seed, p.checksum IS DISTINCT FROM f.checksum, CASE WHEN p.checksum IS DISTINCT FROM f.checksum THEN p.checksum END)))::VARCHAR, '[]')
  FROM files f LEFT JOIN pages p ON p.path = f.path`;

export function fileStatesFromJson(text: string): IndexedFileState[] {
  return (JSON.parse(text) as FileStateLine[]).map(([path, size, mtime, checksum, status, error, idSeed, differs, content]) => {
    const state: IndexedFileState = { path, size, mtime, checksum, status, error, idSeed };
    if (differs) state.contentChecksum = content;
    return state;
  });
}
