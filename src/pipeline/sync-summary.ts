/** What one sync session did. */
export type SyncSummary = {
  /** Graph files found on disk. */
  files: number;
  unchanged: number;
  indexed: number;
  renamed: number;
  deleted: number;
  /** Same content, metadata refreshed (e.g. mtime touched). */
  touched: number;
  skipped: number;
  failed: number;
  /** Indexed with a warning (bad UTF-8 replaced, empty, page name clash...). */
  warnings: number;
  blocks: number;
  durationMs: number;
  /** Files not cleanly synced in this session, with the reason. */
  problems: { path: string; status: string; reason: string }[];
};

export function emptySummary(): SyncSummary {
  return {
    files: 0, unchanged: 0, indexed: 0, renamed: 0, deleted: 0, touched: 0,
    skipped: 0, failed: 0, warnings: 0, blocks: 0, durationMs: 0, problems: [],
  };
}
