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
  /** Called when a write could not be committed even on its own (`batchId`: that last attempt). */
  onFailed?: (write: FileWrite, error: Error, batchId: SyncBatchId) => void;
};

/**
 * BatchProcessor: groups FileWrites into batches by count, block count and a
 * time window, and hands each to the writer as one transaction.
 *
 * The window is a group commit: when it ends while the writer is still busy
 * with an earlier batch, the batch keeps filling (up to maxFiles / maxBlocks)
 * and goes the moment the writer is free. So live edits on an idle service go
 * out after `windowMs`, and a catch-up, where parsing outruns nothing but the
 * writer, gets batches as large as the limits allow: each of the writer's
 * statements has a fixed cost, and 50 ms windows made catch-up batches of
 * about 50 files (issue #8: 20k files, 49 s → 26 s with full batches). Batches are
 * written in the order they were filled, so two writes to one path land in
 * order. A batch holds at most one write per path: a second write for a
 * path sends the batch first (the writer applies a batch's deletes before
 * its inserts, so two writes of one path in one transaction would leave two
 * copies of its rows, or none). A failed batch is retried one write at a
 * time, so one bad file cannot keep the rest out of the index.
 */
export class BatchProcessor {
  readonly #options: BatchProcessorOptions;
  #current: FileWrite[] = [];
  #currentBlocks = 0;
  #currentPaths = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The window ended while the writer was busy: send the batch when it is free. */
  #due = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: BatchProcessorOptions) {
    this.#options = options;
  }

  /**
   * Adds a write; resolves once there is room for more (waits while the writer
   * is behind). `now` writes the batch without waiting for the window (an
   * edit someone may search for, with nothing else coming to share the batch).
   */
  async add(write: FileWrite, options: { now?: boolean } = {}): Promise<void> {
    const paths = pathsOf(write);
    if (paths.some((path) => this.#currentPaths.has(path))) this.#dispatch();
    for (const path of paths) this.#currentPaths.add(path);
    this.#current.push(write);
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
    this.#dispatch();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Writes waiting in the batch being filled. */
  get pending(): number {
    return this.#current.length;
  }

  #windowEnded(): void {
    this.#timer = undefined;
    if (this.#inFlight.size === 0) this.#dispatch();
    else this.#due = true;
  }

  #dispatch(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = false;
    if (this.#current.length === 0) return;
    const writes = this.#current;
    this.#current = [];
    this.#currentBlocks = 0;
    this.#currentPaths = new Set();
    const done: Promise<void> = this.#commit(writes).finally(() => {
      this.#inFlight.delete(done);
      if (this.#due && this.#inFlight.size === 0) this.#dispatch();
    });
    this.#inFlight.add(done);
  }

  async #commit(writes: FileWrite[]): Promise<void> {
    // Each attempt is its own transaction, so a retry one write at a time gets ids of its own.
    const batchId = newBatchId();
    try {
      // Not `onCommitted?.(writes, await write(...))`: without a listener that
      // would skip evaluating its arguments, so nothing would be written.
      const result = await this.#options.write({ writes });
      this.#options.onCommitted?.(writes, result, batchId);
      return;
    } catch (error) {
      if (writes.length === 1) {
        this.#options.onFailed?.(writes[0] as FileWrite, error as Error, batchId);
        return;
      }
    }
    for (const write of writes) await this.#commit([write]);
  }
}

/** Unique across processes and restarts (a log may hold several runs), short enough to read. */
function newBatchId(): SyncBatchId {
  return globalThis.crypto.randomUUID().slice(0, 18);
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
