import type { SyncConfiguration } from "../config/load-config.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { ControlParams, ControlRequestMethod, ControlResult } from "../control/control-api.ts";

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
  } catch (error) {
    // A damaged block fails the query that reads it, not the open: name the file and the way back.
    const { databaseFailure } = await import("../index/database-error.ts");
    throw databaseFailure(config.database, error) ?? error;
  } finally {
    db.close();
  }
}

/**
 * Asks the running service first (it holds the database, so no other process
 * may open it); with no service listening (no socket, or a stale one, which
 * is removed), reads the database directly with `read`.
 */
export async function queryServiceOrIndex<M extends ControlRequestMethod>(
  config: SyncConfiguration,
  request: { method: M; params?: ControlParams<M> },
  read: (connection: DuckDBConnection) => Promise<ControlResult<M>>,
): Promise<ControlResult<M>> {
  const { callService, controlSocketPath } = await import("../control/control-client.ts");
  const reply = await callService(controlSocketPath(config.database), request.method, request.params as ControlParams<M>);
  if (reply !== null) return reply.result;
  return queryIndex(config, read);
}
