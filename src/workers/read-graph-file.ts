import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, readSync } from "node:fs";
import { mtimeOf } from "../pipeline/file-snapshot.ts";
import { EntrySkipped, openGraphFile } from "../pipeline/graph-entry.ts";

export type ReadTask = { absolutePath: string; maxBytes: number };

export type ReadOutcome =
  | { ok: true; size: number; mtime: number; checksum: string; bytes: Uint8Array<ArrayBuffer> }
  /** `code`: the errno code of a read that failed, so the main thread can tell a transient failure (RetryManager). */
  | { ok: false; status: "failed" | "skipped"; size: number; mtime: number; reason: string; code?: string };

/** Reads tried before giving up on a file that changes while it is read. */
const MAX_READS = 5;

/**
 * A write in progress may still be copying bytes into a file whose mtime is
 * younger than this: such a read is taken only if a second read, once the
 * mtime is this old, gives the same bytes.
 */
export const SETTLE_MS = 50;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Reads a graph file once and checksums it (the hashing worker's task, and
 * the first half of the parsing worker's `readAndParse`).
 *
 * Synchronous I/O on purpose: the calling thread exists to do it, and async
 * fs calls would queue on libuv's small process-wide thread pool, which
 * DuckDB's async calls in the writer thread share.
 */
export function readGraphFile(task: ReadTask): ReadOutcome {
  let fd: number;
  try {
    fd = openGraphFile(task.absolutePath);
  } catch (error) {
    if (error instanceof EntrySkipped) return { ok: false, status: "skipped", size: error.size, mtime: error.mtime, reason: error.message };
    return cannotRead(error);
  }
  try {
    for (let attempt = 0; attempt < MAX_READS; attempt++) {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { ok: false, status: "skipped", size: 0, mtime: mtimeOf(stat), reason: "not a regular file" };
      if (stat.size > task.maxBytes) {
        return {
          ok: false,
          status: "skipped",
          size: stat.size,
          mtime: mtimeOf(stat),
          reason: `too large: ${stat.size} bytes, over the ${task.maxBytes}-byte limit (maxFileSizeBytes)`,
        };
      }
      const bytes = readAll(fd, stat.size);
      // The size and mtime recorded must be those of the very bytes read (issue #13 row 1):
      // a write during the read shows in a second fstat, and the file is read again.
      const after = fstatSync(fd);
      if (after.size !== bytes.byteLength || mtimeOf(after) !== mtimeOf(stat)) continue;
      // A write(2) sets the mtime when it begins, then copies: bytes read meanwhile pass the check above, half
      // old and half new, and as the file's size and mtime match them no later sync would read it again (an
      // 8 MB page overwritten in place in a loop: 6 of about 640 reads). So a read of a file written in the last
      // SETTLE_MS is confirmed by a second one after that time: what changed since is read again. An mtime
      // ahead of the clock is no write in progress (that one's mtime is now), and would wait at every read.
      const young = mtimeOf(stat) + SETTLE_MS - Date.now();
      if (young > 0 && young <= SETTLE_MS && !sameOnSecondRead(fd, bytes, stat, young)) continue;
      const checksum = createHash("sha256").update(bytes).digest("hex");
      return { ok: true, size: bytes.byteLength, mtime: mtimeOf(stat), checksum, bytes };
    }
    // Size and mtime 0 never match the disk: the next sync reads it again.
    return { ok: false, status: "failed", size: 0, mtime: 0, reason: `kept changing while being read (${MAX_READS} tries)` };
  } catch (error) {
    return cannotRead(error);
  } finally {
    closeSync(fd);
  }
}

/** Whether the file, read again after `waitMs`, holds the same bytes with the same size and mtime. */
function sameOnSecondRead(fd: number, bytes: Uint8Array, stat: { mtimeMs: number }, waitMs: number): boolean {
  Atomics.wait(sleeper, 0, 0, waitMs);
  const again = readAll(fd, bytes.byteLength);
  const after = fstatSync(fd);
  if (after.size !== again.byteLength || mtimeOf(after) !== mtimeOf(stat)) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(Buffer.from(again.buffer, again.byteOffset, again.byteLength));
}

/** One byte past the bytes expected: whether the file ends there. */
const probe = new Uint8Array(1);

/**
 * Reads from the start to the end, even if the file grew since fstat. The buffer is the size fstat gave, and a
 * one-byte read past it tells the end: the bytes come back in a buffer of their own (transferred as they are,
 * transfer.ts `ownBuffer`). Growing the full buffer to look for the end allocated twice the file and copied it,
 * and the copy sat between the read and its re-check.
 */
export function readAll(fd: number, expected: number): Uint8Array<ArrayBuffer> {
  let buffer = new Uint8Array(expected);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (readSync(fd, probe, 0, 1, length) === 0) break;
      const bigger = new Uint8Array(Math.max(buffer.length * 2, 1024));
      bigger.set(buffer);
      bigger[length++] = probe[0] as number;
      buffer = bigger;
      continue;
    }
    const n = readSync(fd, buffer, length, buffer.length - length, length);
    if (n === 0) break;
    length += n;
  }
  return length === buffer.length ? buffer : buffer.subarray(0, length);
}

function cannotRead(error: unknown): ReadOutcome {
  const code = (error as NodeJS.ErrnoException)?.code;
  return { ok: false, status: "failed", size: 0, mtime: 0, reason: `cannot read: ${describe(error)}`, ...(typeof code === "string" ? { code } : {}) };
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code} ${e.message.replace(/^\w+: /, "")}` : String(e?.message ?? error);
}
