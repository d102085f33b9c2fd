import type { ParsedPage } from "../logseq/types.ts";
import type { BlockOutline } from "./block-outline.ts";
import type { ConflictStatus, ConflictStrategy } from "../pipeline/conflict-types.ts";

/** Why a file is or is not in the index. */
export const FileStatus = {
  /** Parsed and indexed. */
  indexed: "indexed",
  /** Indexed, with something the user should know (bad UTF-8 replaced, empty file, page name clash...). */
  warning: "warning",
  /** Deliberately not parsed (binary, over the size limit); earlier content, if any, is kept. */
  skipped: "skipped",
  /** Could not be read; earlier content, if any, is kept and the file is retried on the next sync. */
  failed: "failed",
} as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

/** One row of the `files` table: every file seen, with its state. */
export type FileRow = {
  path: string;
  size: number;
  /** Modification time in ms since the epoch, as `stat` reports it. */
  mtime: number;
  checksum: string | null;
  status: FileStatus;
  error: string | null;
  /**
   * The page name derived block ids hash (see docs/parser.md): the page name
   * when the file was first indexed, kept across edits and moves so a move
   * does not change the ids of blocks later edits leave alone. NULL until indexed.
   */
  idSeed: string | null;
};

/** A parsed page plus the folded tokens of its name and aliases. */
export type IndexedPage = ParsedPage & { titleTokens: string };

/**
 * What the parsing bulkhead hands to the writer for one file. Blocks and refs
 * travel as NDJSON bytes, serialised in the parse workers (in parallel) into
 * one buffer per file and loaded by DuckDB's vectorised JSON reader: the
 * single writer thread does no per-row work, and the rows cross threads by
 * transfer (block-rows.ts, bulkheads/apply-batch.ts), not as an object graph.
 */
export type IndexedDocument = {
  page: IndexedPage;
  blockCount: number;
  /** One BlockRow per line. */
  blockRows: Uint8Array;
  /** One RefRow per line. */
  refRows: Uint8Array;
  /**
   * Every block as the block diff compares it (block-outline.ts), rows or
   * not. Absent for a document to be written whole (a new file, a forced
   * re-parse) of fewer than MIN_PARTIAL_BLOCKS blocks: nothing diffs it,
   * keeps its keys or warms a diff state from it (indexed-document.ts).
   */
  outline?: BlockOutline;
  /**
   * Null when the rows cover every block. Otherwise the file's bytes: the
   * rows cover only the blocks its previous parse lacked (a partial
   * document, indexed-document.ts), and fullDocument builds the rest.
   */
  source: Uint8Array | null;
  warnings: string[];
};

/**
 * A line of `IndexedDocument.blockRows`; `ord` is the block's index in the
 * file (its key is the file's base key + ord). Optional keys are left out
 * when null or false (block-row-reader.ts).
 */
export type BlockRow = {
  path: string;
  ord: number;
  id: string;
  parent_id?: string;
  position: number;
  level: number;
  content: string;
  properties?: Record<string, unknown>;
  marker?: string;
  priority?: string;
  scheduled?: number;
  deadline?: number;
  repeater?: string;
  pre_block?: true;
  length: number;
  /** Folded tokens joined by single spaces: DuckDB builds the postings from them. */
  tokens: string;
};

/** A line of `IndexedDocument.refRows`. */
export type RefRow = { path: string; ord: number; block_id: string; target: string; kind: string };

/** One change the writer applies inside a batch transaction (a SyncOperation's outcome). */
export type FileWrite =
  /**
   * The file's content changed (or is new): replace everything indexed for this path, as a block diff
   * where that pays (incremental-write.ts); `whole`: the indexed rows are not trusted (a forced
   * re-index after a format change, a repair), so rewrite them all.
   */
  | { op: "index"; file: FileRow; doc: IndexedDocument; whole?: true }
  /** Same content, new metadata (mtime touched, or a status change such as failed → skipped). */
  | { op: "metadata"; file: FileRow }
  /** The file is gone from disk. */
  | { op: "delete"; path: string }
  /** The same content moved: keep its blocks, change the path (and the page name the path implies). */
  | { op: "rename"; from: string; file: FileRow };

export type IndexBatch = {
  writes: FileWrite[];
  /** `conflicts.pageNameClash.strategy`: under index and manual a file newly claiming an owned page name is held (page-name-holds.ts). */
  pageNameClash?: ConflictStrategy;
  /** The buffer the writes' rows are views of when the batch was packed for the writer thread (bulkheads/apply-batch.ts), which hands it back once written. */
  rows?: ArrayBuffer;
};

/** What the writer thread answers for a packed batch: its result, and the batch's rows buffer handed back once written (bulkheads/apply-batch.ts). */
export type AppliedBatch = BatchResult & { rows?: ArrayBuffer };

export type BatchResult = {
  indexed: number;
  deleted: number;
  renamed: number;
  metadata: number;
  blocks: number;
  /** Page names a path newly joined in this batch, with all their paths and the id of the `conflicts` row recorded for each. */
  pageNameClashes: { id: number; name: string; paths: string[]; strategy?: ConflictStrategy; status?: ConflictStatus }[];
  /** Claims held out of the index (index/manual): the path claimed and the `skipped` row written instead. */
  held?: { path: string; file: FileRow }[];
  /** Held paths whose page name lost its owner in this batch: to be synced again. */
  released?: string[];
};
