import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * The `sync_state` table: the index's own key-value facts (index format,
 * DuckDB version, the last sync's summary, whether a bulk load left the
 * postings unsorted). See docs/schema.md.
 */
export async function readSyncState(c: DuckDBConnection): Promise<Record<string, string>> {
  const reader = await c.runAndReadAll(`SELECT key, value FROM sync_state`);
  return Object.fromEntries(reader.getRows().map((row) => [row[0] as string, row[1] as string]));
}

/** Records entries, all in one transaction. */
export async function writeSyncState(c: DuckDBConnection, entries: Record<string, string>): Promise<void> {
  if (Object.keys(entries).length === 0) return;
  await c.run("BEGIN TRANSACTION");
  try {
    await setSyncState(c, entries);
    await c.run("COMMIT");
  } catch (error) {
    await c.run("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Records entries inside the caller's transaction. */
export async function setSyncState(c: DuckDBConnection, entries: Record<string, string>): Promise<void> {
  const pairs = Object.entries(entries);
  if (pairs.length === 0) return;
  // Two statements whatever the count: every sync ends with one of these, and each statement has a fixed cost.
  const keys = pairs.map((_, i) => `$${i + 1}`).join(", ");
  const rows = pairs.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(", ");
  await c.run(`DELETE FROM sync_state WHERE key IN (${keys})`, pairs.map(([key]) => key));
  await c.run(`INSERT INTO sync_state VALUES ${rows}`, pairs.flat());
}

/**
 * Term ids are DuckDB's `hash()`, which a new DuckDB version may compute
 * differently: then drop the recorded index format, so the next sync
 * re-indexes every file.
 */
export async function invalidateOnNewDuckDB(c: DuckDBConnection): Promise<void> {
  const running = String((await c.runAndReadAll(`SELECT version()`)).getRows()[0]?.[0]);
  if ((await readSyncState(c))["duckdb_version"] === running) return;
  await writeSyncState(c, { duckdb_version: running, index_format: "" });
}
