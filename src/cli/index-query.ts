import type { SyncConfiguration } from "../config/load-config.ts";
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Runs a read against the index. With no service running, the CLI opens the
 * database itself, read-only, in this thread (the only DuckDB instance in
 * this process). DuckDB is imported here lazily so commands that never
 * query do not pay for loading it.
 */
export async function queryIndex<T>(config: SyncConfiguration, read: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const { openDatabase } = await import("../index/database.ts");
  const db = await openDatabase(config.database, { create: false, readOnly: true });
  try {
    return await read(db.connection);
  } finally {
    db.close();
  }
}
