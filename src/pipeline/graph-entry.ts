import { Buffer } from "node:buffer";
import { constants, lstatSync, openSync, readdirSync, type Stats } from "node:fs";
import { mtimeOf } from "./file-snapshot.ts";

/**
 * The file-system rules every route into the index obeys (the scan, the
 * service's folder scans, watcher events, the hash worker):
 *
 * - Symbolic links inside the graph are never followed. A link named like a
 *   page gets a `skipped` row (SYMLINK_REASON); a link to a folder is not
 *   descended into. Loops and links leaving the graph thus cannot arise.
 * - A name that is not valid UTF-8 cannot be a page name nor a path string:
 *   the file is listed under its name as Node decodes it (each bad byte
 *   sequence becomes U+FFFD, as the watcher reports it too) with a
 *   `skipped` row (BAD_NAME_REASON), never silently dropped.
 */
export const SYMLINK_REASON = "symbolic link, not followed";
export const BAD_NAME_REASON = "file name is not valid UTF-8: rename it to index it";

/** What a graph-relative path is, under those rules. */
export type GraphEntryKind = "file" | "link" | "none";

/** A path on disk: a string, or bytes where a name on the way is not valid UTF-8. */
export type DiskPath = string | Buffer;

/** Thrown by `openGraphFile` for a file the rules say is listed but never read. */
export class EntrySkipped extends Error {
  readonly code = "ENTRY_SKIPPED";
  override name = "EntrySkipped";
  readonly size: number;
  readonly mtime: number;
  constructor(reason: string, stats: Stats | undefined) {
    super(reason);
    this.size = stats?.size ?? 0;
    this.mtime = stats ? mtimeOf(stats) : 0;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A name read as bytes: its string (lossy where invalid) and whether it was valid UTF-8. */
export function decodeName(raw: Uint8Array): { name: string; valid: boolean } {
  try {
    return { name: strictUtf8.decode(raw), valid: true };
  } catch {
    return { name: Buffer.from(raw).toString("utf8"), valid: false };
  }
}

/** `parent/name`, as a string while both are strings, else as bytes. */
export function childPath(parent: DiskPath, name: string | Buffer): DiskPath {
  const slash = parent.at(-1) === (typeof parent === "string" ? "/" : 0x2f) ? "" : "/";
  if (typeof parent === "string" && typeof name === "string") return `${parent}${slash}${name}`;
  return Buffer.concat([Buffer.from(parent), Buffer.from(slash), Buffer.from(name)]);
}

/** A name listed in a folder that this runtime cannot pass back to the OS (Deno decodes names lossily, even as "buffer"). */
const UNREACHABLE = Symbol("unreachable");

/**
 * The on-disk path of `name` in `parent`. Only a name holding U+FFFD may
 * stand for bytes that are not valid UTF-8; the literal name wins if it exists.
 */
function childOnDisk(parent: DiskPath, name: string): DiskPath | typeof UNREACHABLE | null {
  const literal = childPath(parent, name);
  if (!name.includes("\uFFFD") || lstatSync(literal, { throwIfNoEntry: false }) !== undefined) return literal;
  let raws: Buffer[];
  try {
    raws = readdirSync(parent, { encoding: "buffer" });
  } catch {
    return null;
  }
  let listed = false;
  for (const raw of raws) {
    const decoded = decodeName(raw);
    if (decoded.name !== name) continue;
    if (!decoded.valid) return childPath(parent, raw);
    listed = true;
  }
  return listed ? UNREACHABLE : null;
}

/**
 * An entry found on disk. `stats` is missing only for a name that is not
 * valid UTF-8 under a runtime that cannot reach it by its bytes (Deno).
 */
export type ResolvedEntry = { path: DiskPath; stats: Stats | undefined; validName: boolean };

/**
 * Finds a graph-relative path on disk without following a symbolic link:
 * null if it is missing or if any folder on the way is not a real folder
 * (a link to a folder is not part of the graph).
 */
export function resolveGraphPath(root: string, relPath: string): ResolvedEntry | null {
  return walk(root, relPath, true);
}

function walk(start: string, relPath: string, realFolders: boolean): ResolvedEntry | null {
  let path: DiskPath = start;
  const segments = relPath.split("/").filter((s) => s !== "");
  let stats = segments.length === 0 ? lstatSync(start, { throwIfNoEntry: false }) : undefined;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const next = childOnDisk(path, segment);
    if (next === null) return null;
    if (next === UNREACHABLE) return last ? { path: childPath(path, segment), stats: undefined, validName: false } : null;
    path = next;
    stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats === undefined || (!last && realFolders && !stats.isDirectory())) return null;
  }
  return stats === undefined ? null : { path, stats, validName: typeof path === "string" };
}

/** The kind of a graph-relative path: a regular file, a symbolic link (listed, never read), or nothing the graph holds. */
export function graphEntryKind(root: string, relPath: string): GraphEntryKind {
  const entry = resolveGraphPath(root, relPath);
  if (entry === null) return "none";
  // Listed but unreachable by its bytes: a file as far as the rules go (the hash worker records it as skipped).
  if (entry.stats === undefined) return "file";
  if (entry.stats.isSymbolicLink()) return "link";
  return entry.stats.isFile() ? "file" : "none";
}

/** `O_NOFOLLOW` where the platform has it (not on Windows, where there is nothing to follow here). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Opens a graph file for reading, the one place every file's bytes pass:
 * never through a final symbolic link (O_NOFOLLOW: ELOOP), never under a
 * name that is not valid UTF-8. Both throw EntrySkipped with the reason.
 */
export function openGraphFile(absolutePath: string): number {
  try {
    return openSync(absolutePath, constants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") {
      const stats = lstatSync(absolutePath, { throwIfNoEntry: false });
      if (stats?.isSymbolicLink()) throw new EntrySkipped(SYMLINK_REASON, stats);
    }
    if (code === "ENOENT" && absolutePath.includes("\uFFFD")) {
      const entry = resolveAbsolute(absolutePath);
      if (entry !== null && !entry.validName) throw new EntrySkipped(BAD_NAME_REASON, entry.stats);
    }
    throw error;
  }
}

/** Like resolveGraphPath from the file-system root, without the no-link check (only names are resolved). */
function resolveAbsolute(absolutePath: string): ResolvedEntry | null {
  return walk("/", absolutePath, false);
}
