import { statSync } from "node:fs";
import { join } from "node:path";
import type { Pools } from "../bulkheads/pools.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import type { FileRow, FileWrite } from "../index/index-batch.ts";
import { mtimeOf } from "./file-snapshot.ts";
import { isTransientCode } from "./retry-manager.ts";
import type { HashOutcome, HashTask } from "../workers/hash.worker.ts";
import type { ParseOutcome, ParseTask } from "../workers/parse.worker.ts";
import type { BlockKeyCache } from "./block-key-cache.ts";

export type FileSyncContext = {
  graphRoot: string;
  maxFileSizeBytes: number;
  pools: Pick<Pools, "hashing" | "parsing">;
  /**
   * An indexed file that is gone from disk and held this content: a new file
   * with it is that file moved. Claims it (a second new copy is not a move).
   */
  claimMove: (checksum: string) => Promise<IndexedFileState | undefined>;
  /** Large files' last block keys: a parse then builds rows only for the blocks that changed. */
  blockKeys?: BlockKeyCache;
};

/**
 * Works out one file's SyncOperation: read and checksum it (hashing
 * bulkhead); if the content is what the index already has, only metadata
 * changes; if it is a vanished file's content, it is a move; otherwise parse
 * it (parsing bulkhead). Never throws for a bad file: failures, including a
 * crashed or throwing worker, become `failed` rows. A read that failed in a
 * way that may clear (EBUSY, EACCES, ...) throws TransientReadError instead,
 * holding that row, so the caller can retry it later (RetryManager).
 */
export async function syncFile(
  context: FileSyncContext,
  path: string,
  known: IndexedFileState | undefined,
  options: { force?: boolean } = {},
): Promise<FileWrite> {
  const hashTask: HashTask = { absolutePath: join(context.graphRoot, path), maxBytes: context.maxFileSizeBytes };
  const idSeed = known?.idSeed ?? null;
  let hashed: HashOutcome;
  try {
    hashed = await context.pools.hashing.run<HashOutcome>(hashTask);
  } catch (error) {
    // Size and mtime 0: retried on the next sync, like a file that could not be opened.
    hashed = { ok: false, status: "failed", size: 0, mtime: 0, reason: `hashing failed: ${messageOf(error)}` };
  }
  if (!hashed.ok) {
    const write: FileWrite = {
      op: "metadata",
      file: { path, size: hashed.size, mtime: hashed.mtime, checksum: known?.checksum ?? null, status: hashed.status, error: hashed.reason, idSeed },
    };
    if (isTransientCode(hashed.code)) throw new TransientReadError(hashed.reason, hashed.code as string, write);
    return write;
  }
  const base = { path, size: hashed.size, mtime: hashed.mtime, checksum: hashed.checksum };
  if (!options.force && known && known.checksum === hashed.checksum && (known.status === "indexed" || known.status === "warning")) {
    return { op: "metadata", file: { ...base, status: known.status, error: known.error, idSeed } };
  }
  if (!options.force && known === undefined) {
    const moved = await context.claimMove(hashed.checksum);
    if (moved) return { op: "rename", from: moved.path, file: { ...base, status: moved.status, error: moved.error, idSeed: moved.idSeed } };
  }
  // A forced re-parse is written whole: it needs every row.
  const previousKeys = options.force === true || known === undefined ? undefined : context.blockKeys?.get(path);
  const parseTask: ParseTask = { path, bytes: hashed.bytes, ...(idSeed === null ? {} : { idSeed }), ...(previousKeys === undefined ? {} : { previousKeys }) };
  let parsed: ParseOutcome;
  try {
    parsed = await context.pools.parsing.run<ParseOutcome>(parseTask, { transferList: [hashed.bytes] });
  } catch (error) {
    // Same size and mtime as read: not parsed again until the file changes.
    return { op: "metadata", file: { ...base, checksum: known?.checksum ?? null, status: "failed", error: `parsing failed: ${messageOf(error)}`, idSeed } };
  }
  if (!parsed.ok) {
    return { op: "metadata", file: { ...base, status: parsed.status, error: parsed.reason, idSeed } };
  }
  context.blockKeys?.remember(path, parsed.doc.blockCount, parsed.keys);
  const warnings = parsed.doc.warnings;
  const file: FileRow = {
    ...base,
    status: warnings.length > 0 ? "warning" : "indexed",
    error: warnings.length > 0 ? warnings.join("; ") : null,
    // A file indexed for the first time seeds its ids with its page name, and keeps that seed.
    idSeed: idSeed ?? parsed.doc.page.name,
  };
  // A forced re-parse (new index format, repair) does not trust the rows it replaces: no block diff against them.
  return options.force === true ? { op: "index", file, doc: parsed.doc, whole: true } : { op: "index", file, doc: parsed.doc };
}

/** A read failed in a way that may clear; `write` is the `failed` row to record if it never does. */
export class TransientReadError extends Error {
  override name = "TransientReadError";
  readonly code: string;
  readonly write: FileWrite;
  constructor(reason: string, code: string, write: FileWrite) {
    super(reason);
    this.code = code;
    this.write = write;
  }
}

/**
 * True unless the file's size or mtime changed since the read that produced
 * `write` (then committing it would record bytes that are no longer there).
 */
export async function stillAsRead(graphRoot: string, write: FileWrite): Promise<boolean> {
  if (write.op === "delete" || (write.file.size === 0 && write.file.mtime === 0)) return true;
  // Synchronous, as the directory scan's: one stat per synced file, and the
  // promise version cost 2-4x the CPU on the main thread (20,000 files:
  // 430-480 ms vs 100-300 ms), which is the pipeline's router and batcher.
  let now: ReturnType<typeof statSync> | undefined;
  try {
    now = statSync(join(graphRoot, write.file.path), { throwIfNoEntry: false });
  } catch {
    return false;
  }
  return now !== undefined && now.size === write.file.size && mtimeOf(now) === write.file.mtime;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
