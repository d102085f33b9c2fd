import type { Bulkhead } from "./bulkhead.ts";
import type { BatchResult, IndexBatch } from "../index/index-batch.ts";

/**
 * Hands a batch to the writer thread with its documents' rows packed into
 * one buffer that is transferred, not copied nor shared: the writer detaches
 * it once the batch is written (index-writer.worker.ts), so its memory goes
 * back at the writer's next scavenge, whatever the main thread and the
 * writer leave for their next full collection. The main thread keeps each
 * document's own rows (block-rows.ts): a failed batch is split and sent
 * again (BatchProcessor), packed anew. One copy of about 7 MB per 1,024
 * files, on the thread that idles most during a full index.
 */
export function applyBatch(writing: Bulkhead, batch: IndexBatch): Promise<BatchResult> {
  const packed = packRows(batch);
  return writing.run<BatchResult>(packed, { name: "apply", ...(packed.rows === undefined ? {} : { transferList: [packed.rows] }) });
}

/** The batch with every index write's rows as views of one new buffer (`rows`; none when no write has rows). */
export function packRows(batch: IndexBatch): IndexBatch {
  let size = 0;
  for (const write of batch.writes) if (write.op === "index") size += write.doc.blockRows.byteLength + write.doc.refRows.byteLength;
  if (size === 0) return batch;
  const rows = new ArrayBuffer(size);
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
