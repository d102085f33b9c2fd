import { join } from "node:path";
import type { Pools } from "../bulkheads/pools.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import type { FileRow, FileWrite } from "../index/index-batch.ts";
import type { HashOutcome, HashTask } from "../workers/hash.worker.ts";
import type { ParseOutcome, ParseTask } from "../workers/parse.worker.ts";

export type FileSyncContext = {
  graphRoot: string;
  maxFileSizeBytes: number;
  pools: Pick<Pools, "hashing" | "parsing">;
  /** Indexed files that vanished, by checksum: a new file with the same content is a move. */
  vanishedByChecksum: Map<string, IndexedFileState>;
};

/**
 * Works out one file's SyncOperation: read and checksum it (hashing
 * bulkhead); if the content is what the index already has, only metadata
 * changes; if it is a vanished file's content, it is a move; otherwise parse
 * it (parsing bulkhead). Never throws for a bad file: failures become rows.
 */
export async function syncFile(
  context: FileSyncContext,
  path: string,
  known: IndexedFileState | undefined,
  options: { force?: boolean } = {},
): Promise<FileWrite> {
  const hashTask: HashTask = { absolutePath: join(context.graphRoot, path), maxBytes: context.maxFileSizeBytes };
  const hashed = await context.pools.hashing.run<HashOutcome>(hashTask);
  if (!hashed.ok) {
    return {
      op: "metadata",
      file: { path, size: hashed.size, mtime: hashed.mtime, checksum: known?.checksum ?? null, status: hashed.status, error: hashed.reason },
    };
  }
  const base = { path, size: hashed.size, mtime: hashed.mtime, checksum: hashed.checksum };
  if (!options.force && known && known.checksum === hashed.checksum && (known.status === "indexed" || known.status === "warning")) {
    return { op: "metadata", file: { ...base, status: known.status, error: known.error } };
  }
  if (!options.force && known === undefined) {
    const moved = context.vanishedByChecksum.get(hashed.checksum);
    if (moved && (moved.status === "indexed" || moved.status === "warning")) {
      context.vanishedByChecksum.delete(hashed.checksum);
      return { op: "rename", from: moved.path, file: { ...base, status: moved.status, error: moved.error } };
    }
  }
  const parseTask: ParseTask = { path, bytes: hashed.bytes };
  const parsed = await context.pools.parsing.run<ParseOutcome>(parseTask, { transferList: [hashed.bytes] });
  if (!parsed.ok) {
    return { op: "metadata", file: { ...base, status: parsed.status, error: parsed.reason } };
  }
  const warnings = parsed.doc.warnings;
  const file: FileRow = { ...base, status: warnings.length > 0 ? "warning" : "indexed", error: warnings.length > 0 ? warnings.join("; ") : null };
  return { op: "index", file, doc: parsed.doc };
}
