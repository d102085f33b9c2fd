import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";

/**
 * Appends rows to `table` through one appender and closes it, which flushes
 * them into the connection's current transaction. Whatever fails (a value,
 * or the flush itself, e.g. a constraint), the appender's buffered rows are
 * cleared before it is closed. DuckDB flushes an appender's rows when it is
 * destroyed, and the client destroys it when it is garbage collected: an
 * appender a failed batch left open appended that batch's rows into
 * whatever the connection ran at that moment, a later batch included
 * (duplicate blocks; a good half of a split batch failing on the bad
 * half's row: test/index/appender-failure.test.ts).
 */
export async function appendRows<T>(
  c: DuckDBConnection,
  table: string,
  fill: (appender: DuckDBAppender) => T | Promise<T>,
  schema?: "temp",
): Promise<T> {
  const appender = schema === undefined ? await c.createAppender(table) : await c.createAppender(table, "main", schema);
  try {
    const result = await fill(appender);
    appender.closeSync();
    return result;
  } catch (error) {
    appender.clear();
    appender.closeSync();
    throw error;
  }
}
