import process from "node:process";
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { processIsAlive } from "./process-alive.ts";
import { DuckDBInstance } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SCHEMA_DDL, SCHEMA_VERSION } from "./schema.ts";
import { migrateSchema } from "./schema-migration.ts";
import { databaseFailure, DatabaseError, REBUILD_HINT } from "./database-error.ts";

export type Database = {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): void;
};

/**
 * Opens (creating when asked) the index database. Only one thread of one
 * process may hold it: the index-writer bulkhead in a running service, or a
 * one-off CLI command when no service runs.
 */
/** DuckDB's own resources in the writer (config `pools.writing`); read-only opens use DuckDB's defaults. */
export type DatabaseLimits = { threads: number; memoryLimitMb: number };

/** As config.schema.json's defaults (pools.writing.duckdbThreads, duckdbMemoryMb). */
export const DEFAULT_LIMITS: DatabaseLimits = { threads: 2, memoryLimitMb: 128 };

/**
 * The writer's DuckDB gives freed memory back sooner: its allocator is
 * flushed after any task that allocated over 8 MB (DuckDB's default 128 MB),
 * by background threads. Peak RSS of a 100,000-file `run --once`, measured
 * at the 256 MB memory limit of the time: 745-770 MB against 797-839 (3 runs
 * each, session time level: 35.1-38.9 s against 36.0-39.2); one run each of
 * the threshold alone (844 MB: no gain) and the background threads alone
 * (779); 20,000 files 529-546 MB against 549-580.
 */
const ALLOCATOR = { allocator_flush_threshold: "8MB", allocator_background_threads: "true" } as const;

export async function openDatabase(
  path: string,
  mode: { create: boolean; readOnly?: boolean; limits?: DatabaseLimits },
): Promise<Database> {
  if (!existsSync(path)) {
    if (!mode.create) {
      throw new DatabaseError("DATABASE_MISSING", `no index at ${path}: run \`sync-pipeline run --once\` first`);
    }
    mkdirSync(dirname(path), { recursive: true });
    if (!mode.readOnly) await createAtomically(path);
  }
  let instance: DuckDBInstance;
  try {
    const limits = mode.limits ?? DEFAULT_LIMITS;
    // memory_limit bounds DuckDB's buffer pool (its default is 80% of RAM,
    // which a long catch-up fills with cached row groups); beyond it DuckDB
    // evicts pages or spills to a temp folder beside the database.
    instance = await DuckDBInstance.create(
      path,
      mode.readOnly ? { access_mode: "READ_ONLY" } : { threads: String(limits.threads), memory_limit: `${limits.memoryLimitMb}MB`, ...ALLOCATOR },
    );
  } catch (cause) {
    throw describeOpenError(path, cause);
  }
  const connection = await instance.connect();
  const db: Database = {
    instance,
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  try {
    if (!mode.readOnly) await migrate(connection, path);
    else await checkVersion(connection, path);
  } catch (error) {
    db.close();
    throw databaseFailure(path, error) ?? error;
  }
  return db;
}

/**
 * A new index is built beside its final name (`FILE.creating-<pid>`) and
 * linked into place once its schema is committed and checkpointed: a crash
 * while DuckDB writes a new file's header left a file (even 0 bytes) that
 * every later command refused as damaged, asking for --rebuild.
 *
 * Processes starting on one new index at the same moment (two first starts,
 * a service and a `run --once`) each build their own file, and a hard link,
 * which never replaces a file, lets exactly one of them win: the others drop
 * theirs and open the winner's, as any later start does. With one shared
 * `FILE.creating` they removed and renamed each other's files (ENOENT, or
 * no process indexing at all). Leftovers of crashed creations (a dead pid's
 * file, the older pid-less name) are removed.
 */
async function createAtomically(path: string): Promise<void> {
  removeCrashedCreations(path);
  const creating = `${path}.creating-${process.pid}`;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(creating);
  } catch (cause) {
    throw describeOpenError(creating, cause);
  }
  const connection = await instance.connect();
  try {
    await migrate(connection, creating);
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  // A WAL left without its database (the file deleted by hand) would be replayed into the new one.
  if (!existsSync(path)) rmSync(`${path}.wal`, { force: true });
  let won: boolean;
  try {
    linkSync(creating, path);
    won = true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") won = false;
    // A file system without hard links: a rename, which cannot refuse to replace.
    else if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") {
      won = !existsSync(path);
      if (won) renameSync(creating, path);
    } else throw error;
  }
  if (won && existsSync(`${creating}.wal`)) renameSync(`${creating}.wal`, `${path}.wal`);
  rmSync(creating, { force: true });
  rmSync(`${creating}.wal`, { force: true });
}

/** `FILE.creating` (older versions) and `FILE.creating-<pid>` of a process that is gone, with their WALs. */
function removeCrashedCreations(path: string): void {
  const folder = dirname(path);
  const prefix = `${basename(path)}.creating`;
  for (const name of readdirSync(folder)) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length).replace(/\.wal$/, "");
    const pid = rest === "" ? 0 : Number(/^-(\d+)$/.exec(rest)?.[1] ?? NaN);
    if (Number.isNaN(pid) || (pid !== 0 && processIsAlive(pid))) continue;
    rmSync(join(folder, name), { force: true });
  }
}

async function migrate(connection: DuckDBConnection, path: string): Promise<void> {
  // The usual case, an index of this version, in one read: the catalog query below took 5-20 ms of every
  // start, on the writer thread a no-op catch-up waits for. A file without sync_state fails this read.
  const version = await connection.runAndReadAll(`SELECT value FROM sync_state WHERE key = 'schema_version'`)
    .then((reader) => reader.getRows()[0]?.[0], () => undefined);
  if (version === String(SCHEMA_VERSION)) return;
  const tables = await connection.runAndReadAll(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`,
  );
  const names = new Set(tables.getRows().map((row) => String(row[0])));
  if (names.size > 0 && !names.has("sync_state")) {
    throw new DatabaseError(
      "DATABASE_INVALID",
      `${path} is a DuckDB file but not a sync-pipeline index (it has other tables); point "database" at a new file`,
    );
  }
  if (names.has("sync_state")) {
    await migrateSchema(connection);
    // The same schema version means the same tables: nothing to create.
    await checkVersion(connection, path);
    return;
  }
  await connection.run("BEGIN TRANSACTION");
  for (const ddl of SCHEMA_DDL) await connection.run(ddl);
  await connection.run(`INSERT INTO sync_state VALUES ('schema_version', '${SCHEMA_VERSION}')`);
  await connection.run("COMMIT");
}

async function checkVersion(connection: DuckDBConnection, path: string): Promise<void> {
  let version: string | undefined;
  try {
    const result = await connection.runAndReadAll(`SELECT value FROM sync_state WHERE key = 'schema_version'`);
    version = result.getRows()[0]?.[0] as string | undefined;
  } catch (cause) {
    throw databaseFailure(path, cause) ?? new DatabaseError("DATABASE_INVALID", `${path} is not a sync-pipeline index; ${REBUILD_HINT}`, { cause });
  }
  if (version !== String(SCHEMA_VERSION)) {
    const newer = Number(version) > SCHEMA_VERSION;
    throw new DatabaseError(
      newer ? "DATABASE_NEWER" : "DATABASE_INVALID",
      `${path} holds index schema version ${version ?? "(none)"}, this sync-pipeline uses ${SCHEMA_VERSION}` +
        (newer ? ` (written by a newer sync-pipeline: update it, or move the file aside: ` : `; move the file aside (`) +
        "`sync-pipeline run --rebuild` does, and rebuilds the index from the graph)",
    );
  }
}

function describeOpenError(path: string, cause: unknown): DatabaseError {
  return databaseFailure(path, cause) ??
    new DatabaseError(
      "DATABASE_INVALID",
      `cannot open ${path} as a DuckDB database (${firstLine(cause instanceof Error ? cause.message : String(cause))}); ${REBUILD_HINT}`,
      { cause },
    );
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/**
 * `run --rebuild`: renames the index file, its WAL and its postings parts to
 * `FILE.broken-<UTC time>` (nothing is deleted) so the run builds a new
 * index from the graph. Returns the new name, or null when there was no file.
 */
export function moveAside(path: string, now = new Date()): string | null {
  if (!existsSync(path) && !existsSync(path + ".wal")) return null;
  const stamp = now.toISOString().replace(/[-:]|\.\d+/g, "");
  const aside = `${path}.broken-${stamp}`;
  if (existsSync(aside)) throw new DatabaseError("DATABASE_INVALID", `${aside} exists already: not moving ${path} over it; try again in a second`);
  if (existsSync(path)) renameSync(path, aside);
  if (existsSync(path + ".wal")) renameSync(path + ".wal", aside + ".wal");
  // An interrupted bulk load's postings (postings-parts.ts) belong to that file.
  if (existsSync(path + ".postings")) renameSync(path + ".postings", aside + ".postings");
  return aside;
}
