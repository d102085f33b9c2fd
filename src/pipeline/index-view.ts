import type { FileRow, FileWrite } from "../index/index-batch.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { BoundedCache, type CacheStats } from "../index/bounded-cache.ts";
import type { IndexedStamp } from "../index/file-states.ts";
import { pathsOf } from "./batch-processor.ts";

/** How an IndexView reads rows its cache lost from the index (readFileStates in the service). */
export type IndexRowReads = {
  /** The rows of `paths`, or of every file. */
  rows: (paths?: readonly string[]) => Promise<IndexedFileState[]>;
  /** The rows whose checksum is `checksum`. */
  withChecksum: (checksum: string) => Promise<IndexedFileState[]>;
};

/** `IndexView.cached`: the row is not in the cache, and the index has it. */
export const UNCACHED: unique symbol = Symbol("uncached");

/** What every indexed path keeps outside the cache's bound. */
type Entry = { size: number; prefix: number };

/** A row's estimated memory: its object and LRU entry (measured: 336 bytes a row of 130 characters), plus its text. */
export function rowBytes(row: IndexedFileState): number {
  return 200 + row.path.length + (row.checksum?.length ?? 0) + (row.idSeed?.length ?? 0) + (row.error?.length ?? 0) + (row.contentChecksum?.length ?? 0);
}

/**
 * A checksum's first 48 bits (+1; 0 for none): rules out practically every new file as a move without
 * reading the index. 24 bits matched an indexed file for about one new file in 1,700 of a 20,000-file catch-up,
 * and each such meeting compared the checksum with every cached row (0.17 s of the main thread in all).
 */
const CHECKSUM_HEAD_CHARS = 12;

function prefixOf(checksum: string | null): number {
  if (checksum === null) return 0;
  const prefix = Number.parseInt(checksum.slice(0, CHECKSUM_HEAD_CHARS), 16);
  return Number.isNaN(prefix) ? 0 : prefix + 1;
}

/**
 * What the index holds per path (as of the last committed batch) and what it
 * *will* hold once the writes handed to the BatchProcessor commit. A task
 * compares a file with `latest`, so a fast revert is not mistaken for
 * "unchanged" while the edit's write is still pending (issue #13 row 1).
 *
 * The design's file-metadata cache (issue #11): the whole rows (size,
 * mtime, checksum, status, id seed) sit in an LRU bounded by
 * `cache.fileMetadataMaxBytes`; a row it lost is read from the index. Kept
 * for every indexed path, outside the bound: its size (membership, and the
 * large-file debounce) and a 48-bit prefix of its checksum (a new file whose
 * prefix no indexed file has is no move), about 150 bytes a file against the
 * row's 336. While the cache holds every row, a scan compares with it;
 * once it lost one, a scan reads every row from the index.
 */
export class IndexView {
  readonly #entries = new Map<string, Entry>();
  /** Indexed paths per checksum prefix. */
  readonly #prefixes = new Map<number, number>();
  readonly #rows: BoundedCache<IndexedFileState>;
  readonly #reads: IndexRowReads;
  /** Per path, the latest write handed over and not yet committed. */
  readonly #pending = new Map<string, FileWrite>();
  /** Per read from the index in progress: the rows committed meanwhile (null: deleted), which the read may predate. */
  readonly #journals = new Set<Map<string, IndexedFileState | null>>();
  /**
   * The rows the view was built from, when the cache could not keep them all,
   * until the first scan or commit: the start-up scan compares with them
   * instead of reading every row again.
   */
  #loaded: readonly IndexedFileState[] | undefined;
  /**
   * Whole rows read for one sync's work (`fromStamps`), kept outside the
   * cache's bound until their path's first commit: the files a catch-up
   * reads or deletes, each compared once.
   */
  readonly #preloaded = new Map<string, IndexedFileState>();
  /** Built from stamps, which hold no checksum: a checksum lookup must read the index. */
  #prefixesUnknown = false;

  constructor(known: readonly IndexedFileState[], options: { maxBytes: number; reads: IndexRowReads }) {
    this.#rows = new BoundedCache<IndexedFileState>(options.maxBytes, rowBytes);
    this.#reads = options.reads;
    for (const state of known) this.#setKnown(state);
    if (!this.complete) this.#loaded = known;
  }

  /**
   * The view `run --once` starts from: every indexed path by its stamp (its
   * size; file-states.ts), and the whole rows of the paths its sync will
   * read or delete. A no-op catch-up then reads no rows at all. Stamps hold
   * no checksum: `pathsWithChecksum` reads the index (the one-shot sync
   * looks for moves among its vanished files only, and never asks).
   */
  static fromStamps(stamps: readonly IndexedStamp[], rows: Iterable<IndexedFileState>, options: { maxBytes: number; reads: IndexRowReads }): IndexView {
    const view = new IndexView([], options);
    view.#prefixesUnknown = stamps.length > 0;
    for (const stamp of stamps) view.#addEntry(stamp.path, stamp.size, 0);
    for (const row of rows) view.#preloaded.set(row.path, row);
    return view;
  }

  /** Whether the index holds `path`, as of the last committed batch. */
  has(path: string): boolean {
    return this.#entries.has(path);
  }

  /** The indexed size of `path`, as of the last committed batch. */
  sizeOf(path: string): number | undefined {
    return this.#entries.get(path)?.size;
  }

  /** Indexed paths, as of the last committed batch. */
  get size(): number {
    return this.#entries.size;
  }

  paths(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Whether the cache holds every indexed row. */
  get complete(): boolean {
    return this.#rows.stats().entries === this.#entries.size;
  }

  cacheStats(): CacheStats {
    return this.#rows.stats();
  }

  /** Whether the index will hold `path` once every write handed over so far commits. */
  willHold(path: string): boolean {
    const write = this.#pending.get(path);
    return write === undefined ? this.#entries.has(path) : pendingState(write, path) !== undefined;
  }

  /** What the index will hold for `path` once every write handed over so far commits. */
  async latest(path: string): Promise<IndexedFileState | undefined> {
    const now = this.cached(path);
    if (now !== UNCACHED) return now;
    const rows = await this.#read([path]);
    // Committed or handed over while the read was on its way: newer than the read.
    const write = this.#pending.get(path);
    if (write !== undefined) return pendingState(write, path);
    const row = this.#rows.peek(path) ?? rows.get(path);
    if (row !== undefined && this.#entries.has(path)) this.#rows.set(path, row);
    return row;
  }

  /** `latest` when it needs no read from the index, else UNCACHED. */
  cached(path: string): IndexedFileState | undefined | typeof UNCACHED {
    const write = this.#pending.get(path);
    if (write !== undefined) return pendingState(write, path);
    if (!this.#entries.has(path)) return undefined;
    return this.#rows.get(path) ?? this.#preloaded.get(path) ?? UNCACHED;
  }

  /** Every path's latest state. */
  async states(): Promise<IndexedFileState[]> {
    const loaded = this.#loaded;
    this.#loaded = undefined;
    const committed = this.complete
      ? new Map([...this.#rows.values()].map((row) => [row.path, row]))
      : loaded !== undefined ? new Map(loaded.map((row) => [row.path, row])) : await this.#read();
    for (const [path, write] of this.#pending) {
      const state = pendingState(write, path);
      if (state === undefined) committed.delete(path);
      else committed.set(path, state);
    }
    return [...committed.values()];
  }

  isPending(path: string): boolean {
    return this.#pending.has(path);
  }

  /** Indexed paths whose committed content has this checksum. */
  async pathsWithChecksum(checksum: string): Promise<string[]> {
    if (!this.#prefixesUnknown && !this.#prefixes.has(prefixOf(checksum))) return [];
    if (this.complete) return [...this.#rows.values()].filter((row) => row.checksum === checksum).map((row) => row.path);
    const [rows, journal] = await this.#journalled(() => this.#reads.withChecksum(checksum));
    const paths = new Set(rows.map((row) => row.path));
    for (const [path, state] of journal) {
      if (state?.checksum === checksum) paths.add(path);
      else paths.delete(path);
    }
    return [...paths];
  }

  /** A write was handed to the BatchProcessor. */
  pend(write: FileWrite): void {
    for (const path of pathsOf(write)) this.#pending.set(path, write);
  }

  /** A write committed: what the view holds follows it. */
  commit(write: FileWrite): void {
    switch (write.op) {
      case "delete":
        this.#deleteKnown(write.path);
        break;
      case "rename":
        this.#deleteKnown(write.from);
        this.#setKnown(write.file);
        break;
      case "index":
      case "metadata":
        this.#setKnown(write.file);
        break;
    }
    this.settle(write);
  }

  /** A write committed or failed for good: later tasks compare with the index again, unless a newer write is pending. */
  settle(write: FileWrite): void {
    for (const path of pathsOf(write)) if (this.#pending.get(path) === write) this.#pending.delete(path);
  }

  /** Rows read from the index, corrected by the commits made while the read was on its way. */
  async #read(paths?: readonly string[]): Promise<Map<string, IndexedFileState>> {
    const [rows, journal] = await this.#journalled(() => this.#reads.rows(paths));
    const byPath = new Map(rows.map((row) => [row.path, row]));
    for (const [path, state] of journal) {
      if (state === null) byPath.delete(path);
      else if (paths === undefined || paths.includes(path)) byPath.set(path, state);
    }
    return byPath;
  }

  /** A read from the index, with the commits made while it was on its way (null: deleted). */
  async #journalled(read: () => Promise<IndexedFileState[]>): Promise<[IndexedFileState[], Map<string, IndexedFileState | null>]> {
    const journal = new Map<string, IndexedFileState | null>();
    this.#journals.add(journal);
    try {
      return [await read(), journal];
    } finally {
      this.#journals.delete(journal);
    }
  }

  #setKnown(state: IndexedFileState): void {
    this.#deleteKnown(state.path);
    this.#addEntry(state.path, state.size, prefixOf(state.checksum));
    this.#rows.set(state.path, state);
    for (const journal of this.#journals) journal.set(state.path, state);
  }

  #addEntry(path: string, size: number, prefix: number): void {
    this.#entries.set(path, { size, prefix });
    this.#prefixes.set(prefix, (this.#prefixes.get(prefix) ?? 0) + 1);
  }

  /** Also every commit's end of the start-up rows (#loaded): they no longer say what the index holds. */
  #deleteKnown(path: string): void {
    this.#loaded = undefined;
    this.#preloaded.delete(path);
    const old = this.#entries.get(path);
    if (old === undefined) return;
    this.#entries.delete(path);
    this.#rows.delete(path);
    const count = (this.#prefixes.get(old.prefix) ?? 0) - 1;
    if (count > 0) this.#prefixes.set(old.prefix, count);
    else this.#prefixes.delete(old.prefix);
    for (const journal of this.#journals) journal.set(path, null);
  }
}

/** What `path` will hold once `write`, pending for it, commits. */
function pendingState(write: FileWrite, path: string): IndexedFileState | undefined {
  return write.op === "delete" || (write.op === "rename" && write.from === path) ? undefined : write.file;
}

/** Whether the index's row for a file already says what `file` says (a metadata write that changes nothing). */
export function sameFileRow(known: FileRow | undefined, file: FileRow): boolean {
  return known !== undefined && known.size === file.size && known.mtime === file.mtime && known.checksum === file.checksum &&
    known.status === file.status && known.error === file.error && known.idSeed === file.idSeed;
}
