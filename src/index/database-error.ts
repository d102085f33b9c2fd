/** The database file cannot be opened or is not an index this version understands. */
export class DatabaseError extends Error {
  readonly code: "DATABASE_LOCKED" | "DATABASE_INVALID" | "DATABASE_MISSING" | "DATABASE_BROKEN" | "DATABASE_UNREADABLE" | "DATABASE_NEWER";
  override name = "DatabaseError";
  constructor(code: DatabaseError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The way back from a file we cannot use: nothing is deleted, the index is rebuilt from the graph. */
export const REBUILD_HINT = "it is left untouched: `sync-pipeline run --rebuild` moves it aside and rebuilds the index from the graph";

/**
 * DuckDB's words for a file it cannot read: a bad magic number, a checksum
 * that does not match ("... in block at location N"), a file shorter than
 * its headers say, a storage version it does not know.
 */
const BROKEN = /not a valid DuckDB database file|Corrupt database file|Could not read enough bytes|database file with version number|Serialization Error|INTERNAL Error/i;
/** Another process holds DuckDB's lock on the file. Not /lock/: "block at location" would match it. */
const LOCKED = /Could not set lock|Conflicting lock/i;

/**
 * Turns DuckDB's error about `path` into a one-line DatabaseError naming the
 * file and the way back, or returns undefined when the error is not about
 * the file itself (a bad query, a full disk...).
 */
export function databaseFailure(path: string, cause: unknown): DatabaseError | undefined {
  if (cause instanceof DatabaseError) return cause;
  const message = firstLine(cause instanceof Error ? cause.message : String(cause));
  // Described already (in the writer thread, whose DatabaseError arrives as a plain Error): keep it.
  if (message.includes("`sync-pipeline run --rebuild`") || message.includes("is in use by another process")) return undefined;
  if (LOCKED.test(message)) {
    return new DatabaseError("DATABASE_LOCKED", `${path} is in use by another process (a running sync-pipeline service?): ${message}`, { cause });
  }
  if (/Permission denied|EACCES/i.test(message)) {
    return new DatabaseError(
      "DATABASE_UNREADABLE",
      `cannot open ${path}: permission denied; give this user read and write access to it, or ${REBUILD_HINT.replace("it is left untouched: ", "")}`,
      { cause },
    );
  }
  const version = /database file with version number (\d+), but we can only read versions? (.*?)\.?$/i.exec(message);
  if (version !== null) {
    return new DatabaseError(
      "DATABASE_NEWER",
      `${path} was written by another DuckDB storage version (${version[1]}; this sync-pipeline reads ${version[2]}): update sync-pipeline, or ${REBUILD_HINT.replace("it is left untouched: ", "")}`,
      { cause },
    );
  }
  if (BROKEN.test(message)) {
    return new DatabaseError("DATABASE_BROKEN", `cannot open ${path} as a DuckDB database (the file is damaged: ${message}); ${REBUILD_HINT}`, { cause });
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
