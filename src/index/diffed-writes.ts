import type { DuckDBConnection } from "@duckdb/node-api";
import type { GraphConfig } from "../logseq/types.ts";
import { outlineBlocks, type BlockOutline } from "./block-outline.ts";
import type { DiffBlock, DiffStateCache } from "./diff-state-cache.ts";
import type { FileWrite } from "./index-batch.ts";
import { fullDocument } from "./indexed-document.ts";
import { writeIncrementally, type IndexedState } from "./incremental-write.ts";
import { rememberPlace } from "./diff-window.ts";
import { withinDiffBudget, type DiffBudget } from "./diff-budget.ts";
import { SEQ_GAP } from "./schema.ts";
import { pageFieldsText, rememberPageFields } from "./page-fields.ts";
import type { IndexedDocument } from "./index-batch.ts";
import type { DiffChanges } from "./model-delta.ts";

type IndexWrite = Extract<FileWrite, { op: "index" }>;

/** The `index` writes a batch applied as block diffs, and what they wrote. */
export type DiffedWrites = {
  paths: Set<string>;
  /** Their page names: unchanged by a diff, but the files rows just rewritten need their clash warnings again. */
  names: Set<string>;
  rows: number;
  blocks: number;
  postingsGone: boolean;
};

export type DiffContext = {
  graph: GraphConfig;
  maxChangedFraction: number;
  /** How many of a batch's files are diffed (diff-budget.ts). */
  diffBudget: DiffBudget;
  scratchBlocks: string;
  scratchRefs: string;
  cache: DiffStateCache;
  /** Whether the index holds the page of `path`. */
  hasContent: (path: string) => boolean;
  allocateKeys: (n: number) => bigint;
  /** Collects the blocks the diffs delete, for the search model's refresh (search-model-refresh.ts). */
  changes?: DiffChanges;
  /** A page's indexed state read ahead of its write (IndexWriter.prefetchDiffStates). */
  prefetched?: (path: string) => IndexedState | undefined;
};

/**
 * Gives a partial document every row, in place (the writer thread's copy of
 * the batch): built once, whichever of the diff and the whole write needs it.
 */
export function completeRows(write: IndexWrite, graph: GraphConfig): IndexWrite["doc"] {
  write.doc = fullDocument(write.doc, write.file.path, graph, write.file.idSeed);
  return write.doc;
}

/**
 * `index` writes of files with indexed content, applied as block diffs
 * where the diff is small enough (incremental-write.ts); the rest are left
 * for the whole-file path. A path written twice in the batch (renamed onto,
 * say) always goes the whole-file way.
 */
export async function writeDiffs(c: DuckDBConnection, writes: FileWrite[], context: DiffContext): Promise<DiffedWrites> {
  const diffed: DiffedWrites = { paths: new Set(), names: new Set(), rows: 0, blocks: 0, postingsGone: false };
  const seen = new Map<string, number>();
  for (const w of writes) for (const path of pathsOf(w)) seen.set(path, (seen.get(path) ?? 0) + 1);
  const candidates = writes.filter(
    (w): w is IndexWrite => w.op === "index" && w.whole !== true && context.hasContent(w.file.path) && seen.get(w.file.path) === 1,
  );
  for (const w of withinDiffBudget(candidates, context.diffBudget)) {
    const outcome = await writeIncrementally(c, w, { ...context, fullDocument: (write) => completeRows(write, context.graph) });
    if (outcome === null) continue;
    diffed.paths.add(w.file.path);
    diffed.names.add(w.doc.page.name);
    diffed.rows += outcome.rows;
    diffed.blocks += outcome.inserted;
    if (outcome.deleted > 0) diffed.postingsGone = true;
  }
  return diffed;
}

/**
 * A file's blocks as a whole write leaves them (key: the file's base key +
 * ord, seq: key × SEQ_GAP, ids as the parser derived them), for the diff
 * cache: the first edit of a large page after it was written whole is then
 * compared without reading 70,000 blocks back from DuckDB. Only valid when
 * the write gave no kept id back (kept-ids.ts). It remembers the page
 * fields written, so that edit need not read them back either.
 */
export function wholeWriteState(outline: BlockOutline, base: bigint, page?: IndexedDocument["page"]): DiffBlock[] {
  const state = outlineBlocks(outline).map((block, ord) => {
    const key = base + BigInt(ord);
    block.k = String(key);
    block.t[0] = String(key * BigInt(SEQ_GAP));
    return block;
  });
  rememberPlace(state, outline);
  return page === undefined ? state : rememberPageFields(state, pageFieldsText(page));
}

export function pathsOf(write: FileWrite): string[] {
  return write.op === "delete" ? [write.path] : write.op === "rename" ? [write.from, write.file.path] : [write.file.path];
}
