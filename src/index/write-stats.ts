import type { CacheStats } from "./bounded-cache.ts";

/**
 * What the writer did, for `status --json` (issue #11): rows touched counts
 * rows of files, pages, blocks, refs and fts_postings that a batch inserted,
 * deleted or updated (the vocabulary's df bookkeeping is not counted). An
 * incremental write of a one-block edit touches a handful; a whole-file
 * rewrite touches every row of the file twice (delete, insert).
 */
export type WriteStats = {
  lastBatch: BatchWriteStats | null;
  total: BatchWriteStats & { batches: number };
  /** The block diff's cache of recently changed files (diff-state-cache.ts); hits: diffs that read no blocks back. */
  diffStateCache?: CacheStats;
  /** The parse side's cache of large files' block keys (block-key-cache.ts); hits: parses that built rows only for new blocks. Service only. */
  blockKeyCache?: CacheStats;
  /** The rows of recent search hits, by block (hit-rows.ts); hits and misses count rows. */
  hitRowCache?: CacheStats;
  /** The service's cache of file rows (index-view.ts); misses: rows read back from the index. Service only. */
  fileMetadataCache?: CacheStats;
};

export type BatchWriteStats = {
  rowsTouched: number;
  /** `index` writes applied as a block diff. */
  incrementalFiles: number;
  /** `index` writes applied by deleting and re-inserting the whole file. */
  wholeFiles: number;
};

export function emptyWriteStats(): WriteStats {
  return { lastBatch: null, total: { rowsTouched: 0, incrementalFiles: 0, wholeFiles: 0, batches: 0 } };
}

/** Adds a committed batch's figures. */
export function countBatch(stats: WriteStats, batch: BatchWriteStats): void {
  stats.lastBatch = { ...batch };
  stats.total.rowsTouched += batch.rowsTouched;
  stats.total.incrementalFiles += batch.incrementalFiles;
  stats.total.wholeFiles += batch.wholeFiles;
  stats.total.batches++;
}

/** `status` in text: what the writer touched and how its caches serve. */
export function formatWriteStats(w: WriteStats): string[] {
  const batch = (b: BatchWriteStats) => `${b.rowsTouched} rows touched (${b.incrementalFiles} files diffed, ${b.wholeFiles} written whole)`;
  const cache = (name: string, c: CacheStats, entries = "files") =>
    `${name} ${c.entries} ${entries}, ${c.sizeBytes} of ${c.maxBytes} bytes, ${c.hits} hits, ${c.misses} misses`;
  const lines = [`Writes: last batch ${w.lastBatch === null ? "none" : batch(w.lastBatch)}; since start ${batch(w.total)} in ${w.total.batches} batches`];
  const caches = [
    ...(w.diffStateCache === undefined ? [] : [cache("diff state", w.diffStateCache)]),
    ...(w.blockKeyCache === undefined ? [] : [cache("block keys", w.blockKeyCache)]),
    ...(w.hitRowCache === undefined ? [] : [cache("search hit rows", w.hitRowCache, "blocks")]),
    ...(w.fileMetadataCache === undefined ? [] : [cache("file metadata", w.fileMetadataCache)]),
  ];
  if (caches.length > 0) lines.push(`Caches: ${caches.join("; ")}`);
  return lines;
}
