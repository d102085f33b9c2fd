import { ownBuffer, withTransfer } from "./transfer.ts";
import { readGraphFile, type ReadOutcome, type ReadTask } from "./read-graph-file.ts";

export type HashTask = ReadTask;

export type HashOutcome =
  | { ok: true; size: number; mtime: number; checksum: string; bytes: ArrayBuffer }
  | Extract<ReadOutcome, { ok: false }>;

/**
 * Reads a file once and checksums it. The bytes go back to the main thread
 * as a transferred buffer (no copy) so the parser never reads the file again.
 */
export default function hashFile(task: HashTask): HashOutcome {
  const read = readGraphFile(task);
  if (!read.ok) return read;
  const buffer = ownBuffer(read.bytes);
  return withTransfer<HashOutcome>({ ...read, bytes: buffer }, [buffer]);
}
