import process from "node:process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { SCHEMA_DDL, SCHEMA_VERSION } from "./schema.ts";
import { DatabaseError } from "./database-error.ts";

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

export const DEFAULT_LIMITS: DatabaseLimits = { threads: 2, memoryLimitMb: 256 };

export async function openDatabase(
  path: string,
  mode: { create: boolean; readOnly?: boolean; limits?: DatabaseLimits },
): Promise<Database> {
  if (!existsSync(path)) {
    if (!mode.create) {
      throw new DatabaseError("DATABASE_MISSING", `no index at ${path}: run \`sync-pipeline run --once\` first`);
    }
    mkdirSync(dirname(path), { recursive: true });
  }
  let instance: DuckDBInstance;
  try {
    const limits = mode.limits ?? DEFAULT_LIMITS;
    // memory_limit bounds DuckDB's buffer pool (its default is 80% of RAM,
    // which a long catch-up fills with cached row groups); beyond it DuckDB
    // evicts pages or spills to a temp folder beside the database.
    instance = await DuckDBInstance.create(
      path,
      mode.readOnly ? { access_mode: "READ_ONLY" } : { threads: String(limits.threads), memory_limit: `${limits.memoryLimitMb}MB` },
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
    throw error;
  }
  return db;
}

async function migrate(connection: DuckDBConnection, path: string): Promise<void> {
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
    throw new DatabaseError("DATABASE_INVALID", `${path} is not a sync-pipeline index`, { cause });
  }
  if (version !== String(SCHEMA_VERSION)) {
    throw new DatabaseError(
      "DATABASE_INVALID",
      `${path} holds index schema version ${version ?? "(none)"}, this sync-pipeline uses ${SCHEMA_VERSION}; ` +
        `move the file aside and run again to rebuild the index`,
    );
  }
}

function describeOpenError(path: string, cause: unknown): DatabaseError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/lock/i.test(message)) {
    return new DatabaseError(
      "DATABASE_LOCKED",
      `${path} is in use by another process (a running sync-pipeline service?): ${firstLine(message)}`,
      { cause },
    );
  }
  return new DatabaseError(
    "DATABASE_INVALID",
    `cannot open ${path} as a DuckDB database (${firstLine(message)}); it is left untouched — move it aside to rebuild the index`,
    { cause },
  );
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
