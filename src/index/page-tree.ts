import type { DuckDBConnection } from "@duckdb/node-api";
import { renderOutline, type TreeBlock } from "./block-tree.ts";
import { findPage, isoDay } from "./page-lookup.ts";
import type { PageQuery } from "./read-params.ts";

/** A page for a reader: what it is called, its properties and its blocks as a Markdown outline. */
export type PageView = {
  /** The name as written (original case). */
  page: string;
  path: string;
  /** `YYYY-MM-DD` for a journal page, else null. */
  journalDay: string | null;
  format: string;
  properties: Record<string, unknown>;
  aliases: string[];
  tags: string[];
  blockCount: number;
  markdown: string;
};

/** GetPage: the page a name, alias or journal day designates, or null when there is none. */
export async function readPage(connection: DuckDBConnection, query: PageQuery): Promise<PageView | null> {
  const page = await findPage(connection, query.name);
  if (page === null) return null;
  const blocks = await readTreeBlocks(connection, page.path);
  return {
    page: page.originalName,
    path: page.path,
    journalDay: isoDay(page.journalDay),
    format: page.format,
    properties: page.properties,
    aliases: page.aliases,
    tags: page.tags,
    blockCount: blocks.length,
    markdown: renderOutline(blocks),
  };
}

/** Every block of one file, in file order. */
export async function readTreeBlocks(connection: DuckDBConnection, path: string): Promise<TreeBlock[]> {
  const reader = await connection.runAndReadAll(
    `SELECT id, parent_id, position, content, pre_block FROM blocks WHERE path = $path ORDER BY seq`,
    { path },
  );
  return reader.getRowsJson().map((row) => ({
    id: row[0] as string,
    parentId: (row[1] as string | null) ?? null,
    position: row[2] as number,
    content: row[3] as string,
    preBlock: row[4] === true,
  }));
}
