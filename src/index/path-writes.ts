import type { DuckDBConnection } from "@duckdb/node-api";
import { pageIdentity } from "../logseq/page-name.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { appendRows } from "./appenders.ts";
import { foldedTitleTokens } from "./title-tokens.ts";

/**
 * The rows a batch removes by path (IndexWriter.apply): `paths` into the
 * temp table batch_paths, then `statements`, each free to select from it;
 * `before` runs once the paths are in, before the first statement. Returns
 * how many index rows the statements changed (batch_df's bookkeeping not
 * counted).
 */
export async function deleteByPaths(c: DuckDBConnection, paths: readonly string[], statements: readonly string[], before?: () => Promise<void>): Promise<number> {
  if (paths.length === 0) return 0;
  await appendRows(c, "batch_paths", (appender) => {
    for (const path of paths) {
      appender.appendVarchar(path);
      appender.endRow();
    }
  }, "temp");
  await before?.();
  let rows = 0;
  for (const sql of statements) rows += sql.includes("INTO batch_df") ? (await c.run(sql), 0) : (await c.run(sql)).rowsChanged;
  await c.run(`DELETE FROM batch_paths`);
  return rows;
}

/** Moves a page's rows to a new path without re-parsing; returns its page name before and after, null for a path with no page. */
export async function renamePage(
  c: DuckDBConnection,
  from: string,
  to: string,
  graph: GraphConfig,
): Promise<{ before: string; after: string; rows: number } | null> {
  const reader = await c.runAndReadAll(`SELECT properties->>'title', aliases, name FROM pages WHERE path = $1`, [from]);
  const row = reader.getRows()[0];
  if (row === undefined) return null;
  const title = (row[0] as string | null) ?? null;
  const identity = pageIdentity(to, title, graph);
  const aliases = ((row[1] as { items: string[] } | null)?.items ?? []) as string[];
  const params = [to, identity.name, from];
  const pages = await c.run(
    `UPDATE pages SET path = $1, name = $2, original_name = $4, journal_day = $5, title_tokens = $6 WHERE path = $3`,
    [...params, identity.originalName, identity.journalDay, foldedTitleTokens(identity.originalName, aliases)],
  );
  const blocks = await c.run(`UPDATE blocks SET path = $1, page = $2 WHERE path = $3`, params);
  const refs = await c.run(`UPDATE refs SET path = $1, page = $2 WHERE path = $3`, params);
  return { before: row[2] as string, after: identity.name, rows: pages.rowsChanged + blocks.rowsChanged + refs.rowsChanged };
}
