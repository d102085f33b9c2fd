import type { DuckDBConnection } from "@duckdb/node-api";
import type { BatchResult, FileWrite } from "./index-batch.ts";
import { REFRESH_MAX_BLOCKS } from "./search-model-refresh.ts";
import { readModelDelta, type CommittedChange, type DiffChanges } from "./model-delta.ts";

/** What a committed batch did, as far as a loaded search model cares. */
export type CommittedBatch = {
  writes: readonly FileWrite[];
  result: BatchResult;
  /** What its block diffs changed (search-model-refresh.ts). */
  changes: DiffChanges;
  /** Paths whose pages it deleted (to write them again whole, or for good). */
  contentGone: readonly string[];
  /** Claims of owned page names it held (page-name-holds.ts). */
  held: number;
  /** Its first block key: its new blocks are the keys from here. */
  firstNewKey: bigint;
  /** The paths it wrote whole. */
  wholePaths: readonly string[];
};

/**
 * What a commit hands the search model (IndexWriter.takeModelDelta), read
 * right after it, on the writer's connection, before any other write (the
 * new blocks' row ids are final then).
 *
 * Only a commit that left every page row as it was (block diffs, files rows)
 * or added pages for new paths is handed over: a model cannot follow a gone,
 * renamed or wholly rewritten page, nor a clash (search-model-refresh.ts). A
 * bulk load's commits too (a first full index's add pages): only while a
 * model is loaded (`read`), which a search during the catch-up asks for, and
 * then its searches rank in memory. Measured with the bench's scenario (a
 * search every 25 ms through the socket during a 20,000-file catch-up): p50
 * 11-13 ms and p95 69-104 (3 runs) instead of 66-80 and 187-264 (6 runs),
 * caught up in 12.3-13.0 s instead of 14.0-14.8. (In an earlier session,
 * before searches held the parse threads back and before the postings were
 * read back as number columns, it cost the catch-up 60%.) The cost falls on
 * an edit made during the catch-up, which waits behind batches that each read
 * back and refresh: p50 603 ms instead of 335, and 394-472 since an edit gets
 * a batch of its own (batch-processor.ts `#addEdit`; README).
 */
export async function committedChange(c: DuckDBConnection, batch: CommittedBatch, read: boolean): Promise<CommittedChange> {
  const { result } = batch;
  const pagesKeptOrAdded = batch.contentGone.length === 0 && batch.writes.every((w) => w.op === "metadata" || w.op === "index");
  const refreshable = !batch.changes.overflow && pagesKeptOrAdded && result.blocks <= REFRESH_MAX_BLOCKS && batch.held === 0 &&
    result.pageNameClashes.length === 0 && (result.released ?? []).length === 0;
  const delta = refreshable && read ? await readModelDelta(c, batch.firstNewKey, batch.changes, batch.wholePaths).catch(() => null) : null;
  return { refreshable, delta };
}
