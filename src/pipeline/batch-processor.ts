import type { BatchResult, FileWrite, IndexBatch } from "../index/index-batch.ts";
import type { SyncBatchId } from "./sync-domain-event.ts";

export type BatchProcessorOptions = {
  maxFiles: number;
  maxBlocks: number;
  windowMs: number;
  /** Batches handed to the writer and not yet committed; `add` waits beyond this (backpressure). */
  maxInFlight: number;
  /** Writes one batch in one transaction. */
  write: (batch: IndexBatch) => Promise<BatchResult>;
  /** Called once per committed batch, with the writes it held and the batch's id. */
  onCommitted?: (writes: FileWrite[], result: BatchResult, batchId: SyncBatchId) => void;
  /**
   * Called when a write could not be committed even on its own. `recorded`
   * is the `failed` row committed in its place (see `failedRow`), if any;
   * `batchId` the last attempt's.
   */
  onFailed?: (write: FileWrite, error: Error, recorded: FileWrite | undefined, batchId: SyncBatchId) => void;
  /** Called once a sent batch is done (committed, split and committed, or failed): `pending` has dropped by its writes. */
  onSettled?: () => void;
  /**
   * True while the caller has more writes on their way (`run --once`, a
   * service's catch-up: files still queued, read or parsed). A batch then
   * waits until it is worth its statements (half the limits) or holds an
   * urgent write, even when the writer is free: each batch's statements
   * cost about the same whether it holds 5 files or 1,000 (issue #8: 1,000
   * files went as 8 batches of 5 to 368 files).
   */
  moreComing?: () => boolean;
};

/**
 * The database file cannot be written at all (disk full, file size limit,
 * I/O error): no write of the batch is at fault, so splitting it would only
 * repeat the failure once per file.
 */
const UNWRITABLE = /No space left|File too large|ENOSPC|EFBIG|Could not write file|database has been invalidated|I\/O Error|IO Error/i;

export function isUnwritable(error: Error): boolean {
  return UNWRITABLE.test(error.message);
}

/**
 * BatchProcessor: groups FileWrites into batches by count, block count and a
 * time window, and hands each to the writer as one transaction.
 *
 * The window is a group commit: when it ends while the writer is still busy
 * with an earlier batch, the batch keeps filling (up to maxFiles / maxBlocks)
 * and goes the moment the writer is free (not a batch mixing an edit with a
 * catch-up's writes: that one goes behind it at once). So live edits on an
 * idle service go out after `windowMs`, and a catch-up, where parsing
 * outruns nothing but the writer, gets batches as large as the limits
 * allow: each of the writer's statements has a fixed cost, and 50 ms
 * windows made catch-up batches of about 50 files (issue #8: 20k files,
 * 49 s → 26 s with full batches). Batches are written in the order they
 * were filled, so two writes to one path land in order; an edit made while
 * a catch-up fills a batch gets a batch of its own that goes first
 * (`#addEdit`), holding no path of the other. A batch holds at most one
 * write per path: a second write for a path sends the batch first (the
 * writer applies a batch's deletes before its inserts, so two writes of one
 * path in one transaction would leave two copies of its rows, or none).
 *
 * A failed batch is a saga: the writer rolled its transaction back whole, so
 * it is split in halves and each half written again, recursively, until the
 * failing write is alone (log2(n) extra transactions per bad file, not n).
 * The good writes commit; the bad one's file gets a `failed` row with the
 * reason, written on its own, keeping the content the index held. A batch
 * that fails because the database cannot be written at all is not split.
 */
export class BatchProcessor {
  readonly #options: BatchProcessorOptions;
  #current: FileWrite[] = [];
  #currentBlocks = 0;
  #currentPaths = new Set<string>();
  #unwritable: Error | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The window ended while the writer was busy: send the batch when it is free. */
  #due = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** Writes in the batches of #inFlight. */
  #writing = 0;
  /** The batch being filled holds a write added with `now` (a live edit). */
  #currentLive = false;
  /** The batch being filled holds a write added `urgent` (someone's edit): it never waits for more. */
  #currentUrgent = false;
  /** The batch being filled holds a write added neither `now` nor `urgent` (a catch-up's, a scan's). */
  #currentBackground = false;
  /** Batches holding a live edit, not yet committed (a subset of #inFlight). */
  readonly #live = new Set<Promise<void>>();
  /** Edits made while a catch-up fills #current: their own batch (`#addEdit`). */
  #edits: { writes: FileWrite[]; paths: Set<string>; live: boolean; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(options: BatchProcessorOptions) {
    this.#options = options;
  }

  /**
   * Adds a write; resolves once there is room for more (waits while the writer
   * is behind). `now` writes the batch without waiting for the window (an
   * edit someone may search for, with nothing else coming to share the batch).
   * `urgent`: the batch goes at the window's end even while more is coming
   * (an edit made during a catch-up).
   */
  async add(write: FileWrite, options: { now?: boolean; urgent?: boolean } = {}): Promise<void> {
    const paths = pathsOf(write);
    // A write of a path the edits' batch holds goes after it.
    if (this.#edits !== undefined && paths.some((path) => this.#edits?.paths.has(path))) this.#sendEdits();
    if ((options.now || options.urgent) && this.#filledByOthers() && !paths.some((path) => this.#currentPaths.has(path))) {
      this.#addEdit(write, paths, options.now === true);
      while (this.#inFlight.size > this.#options.maxInFlight) await Promise.race(this.#inFlight);
      return;
    }
    if (paths.some((path) => this.#currentPaths.has(path))) this.#dispatch();
    for (const path of paths) this.#currentPaths.add(path);
    this.#current.push(write);
    if (options.now) this.#currentLive = true;
    if (options.urgent) this.#currentUrgent = true;
    if (!options.now && !options.urgent) this.#currentBackground = true;
    if (write.op === "index") this.#currentBlocks += write.doc.blockCount;
    if (options.now || this.#current.length >= this.#options.maxFiles || this.#currentBlocks >= this.#options.maxBlocks) {
      this.#dispatch();
    } else if (this.#timer === undefined && !this.#due) {
      this.#timer = setTimeout(() => this.#windowEnded(), this.#options.windowMs);
    }
    while (this.#inFlight.size > this.#options.maxInFlight) await Promise.race(this.#inFlight);
  }

  /** Writes out what is pending and waits for every batch to commit. */
  async flush(): Promise<void> {
    this.#sendEdits();
    this.#dispatch();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /**
   * The first error that said the database cannot be written at all. It
   * stays: a later, smaller batch may fit in what space is left, but the
   * writes that failed are still missing.
   */
  get unwritable(): Error | undefined {
    return this.#unwritable;
  }

  /**
   * Resolves once every batch holding a live edit (a write added with `now`)
   * is committed or has failed, or after `maxWaitMs`, whichever comes first;
   * at once when none is being written. A search sent while an edit is being
   * written then answers with the edit instead of from the snapshot before
   * it, and does not compete with the write for the CPU meanwhile (issue #8:
   * edit -> searchable). Catch-up batches are never waited for.
   */
  async liveWritten(maxWaitMs: number): Promise<void> {
    if (this.#live.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    await Promise.race([Promise.allSettled([...this.#live]), timeout]);
    clearTimeout(timer);
  }

  /**
   * Writes not yet committed: in the batch being filled and in the batches
   * the writer is writing. The status reads "idle" only at 0: counting the
   * first alone, it read "idle" while the last batch of a burst was still
   * being written, and `status` still showed the index before it.
   */
  get pending(): number {
    return this.#current.length + (this.#edits?.writes.length ?? 0) + this.#writing;
  }

  /** The batch being filled holds writes of a catch-up (or a scan) and no edit: an edit does not wait for it. */
  #filledByOthers(): boolean {
    return this.#current.length > 0 && !this.#currentUrgent && !this.#currentLive;
  }

  /**
   * An edit (a write added `now` or `urgent`) made while a catch-up fills
   * the batch goes in a batch of its own, ahead of the catch-up's, at its
   * window's end (at once when `now`), whether or not the writer is busy:
   * it then waits for the batch being written, not also for a batch of
   * hundreds of catch-up files filling after it and for that batch's
   * writing. Edit -> searchable during an 8,000-file catch-up with a search
   * model following it: p50 394-472 ms (6 runs) instead of 603-604 (2 runs)
   * with the edit in the catch-up's batch.
   * Its paths are in neither of the other's batches, so the order between
   * them changes no row.
   */
  #addEdit(write: FileWrite, paths: string[], now: boolean): void {
    if (this.#edits === undefined) {
      this.#edits = { writes: [], paths: new Set(), live: false, timer: setTimeout(() => this.#sendEdits(), this.#options.windowMs) };
    }
    const edits = this.#edits;
    edits.writes.push(write);
    for (const path of paths) edits.paths.add(path);
    if (now) edits.live = true;
    if (now || edits.writes.length >= this.#options.maxFiles) this.#sendEdits();
  }

  #sendEdits(): void {
    const edits = this.#edits;
    if (edits === undefined) return;
    clearTimeout(edits.timer);
    this.#edits = undefined;
    this.#send(edits.writes, edits.live);
  }

  #windowEnded(): void {
    this.#timer = undefined;
    // A batch holding an urgent write (an edit made during a catch-up) and a catch-up's writes goes now,
    // behind the batches in flight, instead of waiting for the writer to be free and filling up with the
    // catch-up meanwhile. A batch of edits alone (a burst of saves, a checkout) still fills while the
    // writer is busy: its group commit.
    if (this.#inFlight.size > 0 && !(this.#currentUrgent && this.#currentBackground)) this.#due = true;
    else if (this.#ready()) this.#dispatch();
    // Held for more: looked at again a window later, so a batch never waits on an `add` that may not come.
    else this.#timer = setTimeout(() => this.#windowEnded(), this.#options.windowMs);
  }

  /**
   * Whether the batch being filled goes to a free writer now. While more
   * writes are coming, only once it is worth its statements: half the
   * limits, or an urgent write in it. A service's catch-up sent whatever had
   * piled up each time the writer was free, batches of 160 to 600 files,
   * 42 to 86 of them for 20,000 files: at half the limits, 33 of 512 to
   * 800, and the catch-up took 13.7-14.1 s of CPU instead of 16.5-17.5
   * (issue #8).
   */
  #ready(): boolean {
    if (this.#currentUrgent || this.#options.moreComing?.() !== true) return true;
    return this.#current.length * 2 >= this.#options.maxFiles || this.#currentBlocks * 2 >= this.#options.maxBlocks;
  }

  #dispatch(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = false;
    if (this.#current.length === 0) return;
    const writes = this.#current;
    const live = this.#currentLive;
    this.#current = [];
    this.#currentBlocks = 0;
    this.#currentPaths = new Set();
    this.#currentLive = false;
    this.#currentUrgent = false;
    this.#currentBackground = false;
    this.#send(writes, live);
  }

  /** Hands a batch to the writer; `live`: it holds a write added `now` (liveWritten waits for it). */
  #send(writes: FileWrite[], live: boolean): void {
    this.#writing += writes.length;
    const done: Promise<void> = this.#commit(writes).finally(() => {
      this.#writing -= writes.length;
      this.#inFlight.delete(done);
      this.#live.delete(done);
      if (this.#due && this.#inFlight.size === 0) {
        this.#due = false;
        this.#windowEnded();
      }
      this.#options.onSettled?.();
    });
    this.#inFlight.add(done);
    if (live) this.#live.add(done);
  }

  async #commit(writes: FileWrite[]): Promise<void> {
    // Each attempt is its own transaction, so each half of a split batch gets an id of its own.
    const batchId = newBatchId();
    try {
      // Not `onCommitted?.(writes, await write(...))`: without a listener that
      // would skip evaluating its arguments, so nothing would be written.
      const result = await this.#options.write({ writes });
      this.#options.onCommitted?.(writes, result, batchId);
      return;
    } catch (error) {
      const e = error as Error;
      if (isUnwritable(e)) {
        this.#unwritable ??= e;
        for (const write of writes) this.#options.onFailed?.(write, e, undefined, batchId);
        return;
      }
      if (writes.length === 1) return this.#isolated(writes[0] as FileWrite, e, batchId);
    }
    const half = Math.ceil(writes.length / 2);
    await this.#commit(writes.slice(0, half));
    await this.#commit(writes.slice(half));
  }

  /** The compensating step for a write that fails alone: record its file as failed. */
  async #isolated(write: FileWrite, error: Error, failedBatchId: SyncBatchId): Promise<void> {
    const row = failedRow(write, `index write failed: ${error.message}`);
    if (row === undefined) return this.#options.onFailed?.(write, error, undefined, failedBatchId);
    // The failed row is a transaction of its own: its id is the one the FileSyncFailed event names.
    const batchId = newBatchId();
    try {
      await this.#options.write({ writes: [row] });
    } catch {
      return this.#options.onFailed?.(write, error, undefined, failedBatchId);
    }
    this.#options.onFailed?.(write, error, row, batchId);
  }
}

/** Unique across processes and restarts (a log may hold several runs), short enough to read. */
function newBatchId(): SyncBatchId {
  return globalThis.crypto.randomUUID().slice(0, 18);
}

/**
 * The row recording that `write` could not be committed: its file, `failed`
 * with the reason, and the content the index held left as it was (a
 * metadata write). Not parsed again until the file changes, like a file the
 * parser fails on. A delete or a move has no such row: the index keeps the
 * old path, and the next scan tries again.
 */
export function failedRow(write: FileWrite, reason: string): FileWrite | undefined {
  if (write.op === "delete" || write.op === "rename") return undefined;
  // No checksum: the content rows are not this file's content (a verification scan re-parses it).
  return { op: "metadata", file: { ...write.file, checksum: null, status: "failed", error: reason } };
}

/** The paths whose rows a write changes. */
export function pathsOf(write: FileWrite): string[] {
  switch (write.op) {
    case "delete":
      return [write.path];
    case "rename":
      return [write.from, write.file.path];
    case "index":
    case "metadata":
      return [write.file.path];
  }
}
