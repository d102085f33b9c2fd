import { statSync } from "node:fs";
import { join } from "node:path";
import type { Pools } from "../bulkheads/pools.ts";
import { taskGroups } from "../bulkheads/task-groups.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import type { FileRow, FileWrite } from "../index/index-batch.ts";
import { mtimeOf } from "./file-snapshot.ts";
import { isTransientCode } from "./retry-manager.ts";
import type { HashOutcome, HashTask } from "../workers/hash.worker.ts";
import type { ParseOutcome, ParseTask, ReadParseOutcome, ReadParseTask } from "../workers/parse.worker.ts";
import type { BlockKeyCache } from "./block-key-cache.ts";
import type { ConflictManager } from "./conflict-manager.ts";

/**
 * Files read by one hashing or parsing task (task-groups.ts): at most 16
 * (8 and 32 measured the same for a full index), for about 50 ms, so that a
 * group of large files holds its thread (and counts against the pool's
 * taskTimeoutMs) about one file's time, and a live edit waits behind no more.
 */
const FILE_GROUPS = { maxGroup: 16, budgetMs: 50 };

export type FileSyncContext = {
  graphRoot: string;
  maxFileSizeBytes: number;
  pools: Pick<Pools, "hashing" | "parsing">;
  /**
   * An indexed file that is gone from disk and held this content: a new file
   * with it is that file moved. Claims it (a second new copy is not a move).
   */
  claimMove: (checksum: string) => Promise<IndexedFileState | undefined>;
  /** False when no new file can be a move (nothing vanished, nothing indexed): a new file is then read and parsed in one task. */
  mayMove?: () => boolean;
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
  // Nothing to compare the checksum with before parsing: one task reads, checksums and parses.
  if (options.force === true || (known === undefined && context.mayMove?.() === false)) {
    return readAndParse(context, { ...hashTask, path, ...(idSeed === null ? {} : { idSeed }) }, known, options);
  }
  return hashThenParse(context, hashTask, path, known, options);
}

/** The hashing bulkhead reads and checksums; the parsing bulkhead parses only when the content is new. */
async function hashThenParse(
  context: FileSyncContext,
  hashTask: HashTask,
  path: string,
  known: IndexedFileState | undefined,
  options: { force?: boolean },
): Promise<FileWrite> {
  const idSeed = known?.idSeed ?? null;
  let hashed: HashOutcome;
  try {
    hashed = await hashOne(context, hashTask);
  } catch (error) {
    // Size and mtime 0: retried on the next sync, like a file that could not be opened.
    hashed = { ok: false, status: "failed", size: 0, mtime: 0, reason: `hashing failed: ${messageOf(error)}` };
  }
  if (!hashed.ok) return unread(path, hashed, known);
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
    return parseFailed(base, known, error);
  }
  return parsedWrite(context, base, known, parsed, options);
}

/**
 * Read and checksummed in the hashing bulkhead with the other files asked
 * for meanwhile (task-groups.ts: a catch-up of changed files, the hybrid
 * mode's checksum pass over every file); a group that failed as a whole is
 * tried once more alone, so one file's trouble is its own.
 */
async function hashOne(context: FileSyncContext, task: HashTask): Promise<HashOutcome> {
  try {
    return await taskGroups<HashTask, HashOutcome>(context.pools.hashing, "hashGroup", FILE_GROUPS).run(task);
  } catch {
    return context.pools.hashing.run<HashOutcome>(task);
  }
}

/**
 * A new file when no move is possible, or a forced re-parse: read,
 * checksummed and parsed in the parsing bulkhead, with the other files asked
 * for meanwhile (task-groups.ts). A move is still checked once the checksum
 * is known (the parse is then dropped).
 */
async function readAndParse(context: FileSyncContext, task: ReadParseTask, known: IndexedFileState | undefined, options: { force?: boolean }): Promise<FileWrite> {
  let outcome: ReadParseOutcome;
  try {
    outcome = await taskGroups<ReadParseTask, ReadParseOutcome>(context.pools.parsing, "readAndParseGroup", FILE_GROUPS).run(task);
  } catch {
    // Its group failed as a whole (a crashed or timed-out thread): once more alone, in two steps, so that a
    // failed parse is recorded with the size and mtime read, and not tried again until the file changes.
    return hashThenParse(context, { absolutePath: task.absolutePath, maxBytes: task.maxBytes }, task.path, known, options);
  }
  if (!("parsed" in outcome)) return unread(task.path, outcome.read, known);
  const base = { path: task.path, ...outcome.read };
  if (!options.force && known === undefined) {
    const moved = await context.claimMove(base.checksum);
    if (moved) return { op: "rename", from: moved.path, file: { ...base, status: moved.status, error: moved.error, idSeed: moved.idSeed } };
  }
  return parsedWrite(context, base, known, outcome.parsed, options);
}

type ReadFile = { path: string; size: number; mtime: number; checksum: string };

/** A file that could not be read: its failed or skipped row, thrown as TransientReadError when the cause may clear. */
function unread(path: string, read: Extract<HashOutcome, { ok: false }>, known: IndexedFileState | undefined): FileWrite {
  const write: FileWrite = {
    op: "metadata",
    file: { path, size: read.size, mtime: read.mtime, checksum: known?.checksum ?? null, status: read.status, error: read.reason, idSeed: known?.idSeed ?? null },
  };
  if (isTransientCode(read.code)) throw new TransientReadError(read.reason, read.code as string, write);
  return write;
}

/** A parse task that failed (a crashed or timed-out worker): same size and mtime as read, so not parsed again until the file changes. */
function parseFailed(base: ReadFile, known: IndexedFileState | undefined, error: unknown): FileWrite {
  return { op: "metadata", file: { ...base, checksum: known?.checksum ?? null, status: "failed", error: `parsing failed: ${messageOf(error)}`, idSeed: known?.idSeed ?? null } };
}

function parsedWrite(context: FileSyncContext, base: ReadFile, known: IndexedFileState | undefined, parsed: ParseOutcome, options: { force?: boolean }): FileWrite {
  const path = base.path;
  const idSeed = known?.idSeed ?? null;
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

/**
 * Reads of one file in a row when it keeps changing under us: then its last
 * consistent read is written, and its new size or mtime makes the next sync
 * read it again.
 */
export const MAX_REREADS = 3;

/**
 * Whether a read may be written, the rule the session and the service share:
 * "unchanged" when the file is still as read (a move always: the sync of its
 * new path compares), "changed" when it changed since (read it again rather
 * than record bytes that are gone), "skip" when the change is the path's
 * first since it was last written and the conflict rules drop the read
 * (modifiedDuringSync under manual or index: under index its bytes, older
 * than the kept ones, would pass for an edit after the decision).
 */
export async function checkRead(
  graphRoot: string,
  conflicts: Pick<ConflictManager, "modifiedDuringSync">,
  path: string,
  write: FileWrite,
  firstChange: boolean,
): Promise<"unchanged" | "changed" | "skip"> {
  if (write.op === "rename" || (await stillAsRead(graphRoot, write))) return "unchanged";
  if (firstChange && (await conflicts.modifiedDuringSync(path, write)) === "skip") return "skip";
  return "changed";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
