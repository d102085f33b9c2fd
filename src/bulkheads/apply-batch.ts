import type { Bulkhead } from "./bulkhead.ts";
import type { AppliedBatch, BatchResult, IndexBatch } from "../index/index-batch.ts";

/**
 * Hands a batch to the writer thread with its documents' rows packed into
 * one buffer that is transferred, not copied nor shared. The main thread
 * keeps each document's own rows (block-rows.ts): a failed batch is split
 * and sent again (BatchProcessor), packed anew. The writer hands the buffer
 * back once the batch is written (index-writer.worker.ts `apply`), and the
 * next batch's rows are copied into it (RowBuffers).
 */
export function applyBatch(writing: Bulkhead, batch: IndexBatch, buffers: RowBuffers = sharedRowBuffers): Promise<BatchResult> {
  const packed = packRows(batch, buffers);
  return writing.run<AppliedBatch>(packed, { name: "apply", ...(packed.rows === undefined ? {} : { transferList: [packed.rows] }) }).then(({ rows, ...result }) => {
    if (rows !== undefined) buffers.give(rows);
    return result;
  });
}

/** The batch with every index write's rows as views of one buffer (`rows`; none when no write has rows). */
export function packRows(batch: IndexBatch, buffers: RowBuffers = new RowBuffers()): IndexBatch {
  let size = 0;
  for (const write of batch.writes) if (write.op === "index") size += write.doc.blockRows.byteLength + write.doc.refRows.byteLength;
  if (size === 0) return batch;
  const rows = buffers.take(size);
  const bytes = new Uint8Array(rows);
  let at = 0;
  const copy = (part: Uint8Array): Uint8Array => {
    bytes.set(part, at);
    const view = new Uint8Array(rows, at, part.byteLength);
    at += part.byteLength;
    return view;
  };
  const writes = batch.writes.map((write) =>
    write.op === "index" ? { ...write, doc: { ...write.doc, blockRows: copy(write.doc.blockRows), refRows: copy(write.doc.refRows) } } : write,
  );
  return { ...batch, writes, rows };
}

/**
 * The buffers a catch-up's batches are packed into, used again once the
 * writer hands them back. A new buffer of a 1,024-file batch's rows (about
 * 8 MB) cost the main thread 20-55 ms to fill, nearly all of it first
 * touches of fresh pages (measured here: 24 ms for 8 MB new, under 1-2 ms
 * into one already used); during a service's catch-up that was the main
 * thread's longest stretch, holding up the answers to searches made
 * meanwhile. At most MAX_SPARES are kept, of batches of at least
 * SPARE_MIN_BYTES; a smaller batch (an edit, once a catch-up is over) drops
 * them and gets a buffer of its own size, so an idle service keeps none.
 */
export class RowBuffers {
  static readonly SPARE_MIN_BYTES = 1 << 20;
  static readonly MAX_SPARES = 2;
  readonly #spares: ArrayBuffer[] = [];

  /** A buffer of at least `size` bytes: a spare that fits, else a new one with room to spare. */
  take(size: number): ArrayBuffer {
    if (size < RowBuffers.SPARE_MIN_BYTES) {
      this.#spares.length = 0;
      return new ArrayBuffer(size);
    }
    const fit = this.#spares.findIndex((spare) => spare.byteLength >= size);
    // A quarter more than asked: the next batches, a little larger or smaller, fit it too (pages never written to cost nothing).
    if (fit < 0) return new ArrayBuffer(Math.ceil(size * 1.25));
    return this.#spares.splice(fit, 1)[0] as ArrayBuffer;
  }

  /** A buffer the writer is done with, kept for a later batch if it is large and there is room. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength < RowBuffers.SPARE_MIN_BYTES) return;
    this.#spares.push(buffer);
    // The largest are kept: they fit the most batches.
    this.#spares.sort((a, b) => b.byteLength - a.byteLength);
    this.#spares.length = Math.min(this.#spares.length, RowBuffers.MAX_SPARES);
  }

  /** How many buffers are kept (for tests). */
  get spares(): number {
    return this.#spares.length;
  }
}

/** The main thread's, shared by every batch it sends (one writer thread per process). */
const sharedRowBuffers = new RowBuffers();
