import type { DuckDBConnection } from "@duckdb/node-api";
import { SCHEMA_MIGRATIONS } from "./schema.ts";

/**
 * Brings an index of an older schema version forward, one version at a
 * time, where SCHEMA_MIGRATIONS has the steps; other versions are left for
 * checkVersion to reject with its rebuild hint.
 */
export async function migrateSchema(connection: DuckDBConnection): Promise<void> {
  for (;;) {
    const result = await connection.runAndReadAll(`SELECT value FROM sync_state WHERE key = 'schema_version'`);
    const version = result.getRows()[0]?.[0] as string | undefined;
    const steps = version === undefined ? undefined : SCHEMA_MIGRATIONS[version];
    if (steps === undefined) return;
    for (const [i, step] of steps.entries()) {
      const last = i === steps.length - 1;
      await connection.run("BEGIN TRANSACTION");
      try {
        for (const sql of step) await connection.run(sql);
        if (last) await connection.run(`UPDATE sync_state SET value = $1 WHERE key = 'schema_version'`, [String(Number(version) + 1)]);
        await connection.run("COMMIT");
      } catch (error) {
        await connection.run("ROLLBACK").catch(() => {});
        throw error;
      }
    }
  }
}
