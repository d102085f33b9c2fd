import type { DuckDBConnection } from "@duckdb/node-api";
import type { WriteStats } from "./write-stats.ts";
import { POSTINGS_PARTS } from "./postings-parts.ts";

export type IndexStatus = {
  files: number;
  pages: number;
  blocks: number;
  refs: number;
  terms: number;
  postings: number;
  /** Files by status: indexed, warning, skipped, failed. */
  byStatus: Record<string, number>;
  /** How many files are not cleanly indexed: `problems` lists at most PROBLEMS_LISTED of them. */
  problemCount: number;
  /** Files that are not cleanly indexed, with the reason: the first PROBLEMS_LISTED by status and path. */
  problems: { path: string; status: string; error: string | null }[];
  /** Conflicts kept open for `sync-pipeline resolve` (strategy manual): none of their paths' changes is written meanwhile. */
  openConflicts: number;
  lastSyncAt: string | null;
  lastSyncSummary: unknown;
  /** Batches of a full index that stopped before its end whose postings wait outside the tables (postings-parts.ts); absent when none. */
  postingsWaiting?: number;
  /** A running service's writer since it started: rows touched by the last batch and in total (write-stats.ts). */
  writes?: WriteStats;
};

/** A status reply stays small even when thousands of files fail; the `files` table holds them all. */
export const PROBLEMS_LISTED = 100;

/** GetSyncStatus: what the index holds and what went wrong. */
export async function readStatus(connection: DuckDBConnection): Promise<IndexStatus> {
  const counts = await connection.runAndReadAll(`SELECT
    (SELECT count(*) FROM files), (SELECT count(*) FROM pages), (SELECT count(*) FROM blocks),
    (SELECT count(*) FROM refs), (SELECT count(*) FROM fts_terms), (SELECT count(*) FROM fts_postings),
    (SELECT count(*) FROM files WHERE status <> 'indexed'), (SELECT count(*) FROM conflicts WHERE status = 'open')`);
  const c = (counts.getRows()[0] ?? []).map(Number);
  const statuses = await connection.runAndReadAll(`SELECT status, count(*) FROM files GROUP BY status ORDER BY status`);
  const problems = await connection.runAndReadAll(
    `SELECT path, status, error FROM files WHERE status <> 'indexed' ORDER BY status, path LIMIT ${PROBLEMS_LISTED}`,
  );
  const state = await connection.runAndReadAll(`SELECT key, value FROM sync_state`);
  const stateMap = new Map(state.getRows().map((row) => [row[0] as string, row[1] as string]));
  const summary = stateMap.get("last_sync_summary");
  const postingsWaiting = partsListed(stateMap.get(POSTINGS_PARTS));
  return {
    files: c[0] ?? 0,
    pages: c[1] ?? 0,
    blocks: c[2] ?? 0,
    refs: c[3] ?? 0,
    terms: c[4] ?? 0,
    postings: c[5] ?? 0,
    problemCount: c[6] ?? 0,
    openConflicts: c[7] ?? 0,
    byStatus: Object.fromEntries(statuses.getRows().map((row) => [row[0] as string, Number(row[1])])),
    problems: problems.getRows().map((row) => ({
      path: row[0] as string,
      status: row[1] as string,
      error: (row[2] as string | null) ?? null,
    })),
    lastSyncAt: stateMap.get("last_sync_at") ?? null,
    lastSyncSummary: summary === undefined ? null : JSON.parse(summary),
    ...(postingsWaiting > 0 ? { postingsWaiting } : {}),
  };
}

/** How many batches of a stopped full index have postings waiting outside the tables (postings-parts.ts). */
export async function postingsWaiting(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT value FROM sync_state WHERE key = $1`, [POSTINGS_PARTS]);
  return partsListed(reader.getRows()[0]?.[0] as string | undefined);
}

function partsListed(state: string | undefined): number {
  if (state === undefined || state === "") return 0;
  try {
    const listed: unknown = JSON.parse(state);
    return Array.isArray(listed) ? listed.length : 0;
  } catch {
    return 0;
  }
}
