import type { DuckDBConnection } from "@duckdb/node-api";
import { TABLE_RULES } from "./verify-tables.ts";
import { appendRows } from "./appenders.ts";

export type RepairResult = { contentDropped: number; rowsDeleted: Record<string, number> };

/**
 * Rules whose items are paths whose content must go (and be parsed again if
 * the file is there). Not pageStale nor fileWithoutPage: the sync re-parses
 * a row whose page disagrees with it by itself (detectChanges' repair rule).
 */
const RESYNC_RULES = ["pageWithoutFile", "blockCountDiffers", "postingCountDiffers", "postingsWithoutTerm"] as const;

/**
 * The repair transaction (`verify --repair`), on the writer's connection.
 * Drops the content rows (page, blocks, refs, postings) of every path whose
 * content disagrees with its row, with the disk (`paths`: checksum differs)
 * or with itself, deletes orphan rows, and recounts every term's df; all in
 * one transaction. It never writes content: the follow-up sync sees each
 * such path as a row saying indexed with no page and parses it again
 * through the normal pipeline (detectChanges' repair rule), and deletes or
 * indexes what differs on disk. `files` rows are left to that sync too.
 *
 * Deleting only rows keeps the writer's path caches valid: they may name
 * paths that lost their content, which costs a needless delete, never a
 * duplicate.
 */
export async function repairIndex(connection: DuckDBConnection, paths: string[]): Promise<RepairResult> {
  const c = connection;
  await c.run(`CREATE TEMP TABLE IF NOT EXISTS repair_paths (path VARCHAR)`);
  const rowsDeleted: Record<string, number> = {};
  const count = async (table: string, sql: string) => {
    const result = await c.run(sql);
    rowsDeleted[table] = (rowsDeleted[table] ?? 0) + result.rowsChanged;
  };
  await c.run("BEGIN TRANSACTION");
  try {
    await c.run(`DELETE FROM repair_paths`);
    await appendRows(c, "repair_paths", (appender) => {
      for (const path of paths) {
        appender.appendVarchar(path);
        appender.endRow();
      }
    }, "temp");
    for (const rule of RESYNC_RULES) await c.run(`INSERT INTO repair_paths SELECT example FROM (${TABLE_RULES[rule]})`);
    const dropped = await c.runAndReadAll(`SELECT count(DISTINCT path) FROM repair_paths`);
    await count("pages", `DELETE FROM pages WHERE path IN (SELECT path FROM repair_paths)`);
    // Blocks of a dropped path, and blocks of no page at all.
    await count("blocks", `DELETE FROM blocks WHERE path IN (SELECT path FROM repair_paths)
      OR NOT EXISTS (SELECT 1 FROM pages p WHERE p.path = blocks.path)`);
    await count("refs", `DELETE FROM refs WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.key = refs.block_key)`);
    await count("fts_postings", `DELETE FROM fts_postings WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.key = fts_postings.block_key)`);
    // Recounted from scratch: after arbitrary damage no delta can be trusted.
    await c.run(`UPDATE fts_terms SET df = (SELECT count(*) FROM fts_postings p WHERE p.term_hash = fts_terms.term_hash)`);
    await count("fts_terms", `DELETE FROM fts_terms WHERE df = 0`);
    await c.run("COMMIT");
    return { contentDropped: Number(dropped.getRows()[0]?.[0] ?? 0), rowsDeleted };
  } catch (error) {
    await c.run("ROLLBACK").catch(() => {});
    throw error;
  }
}
