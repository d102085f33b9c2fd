import type { DuckDBConnection } from "@duckdb/node-api";
import { renderOutline } from "./block-tree.ts";
import { isoDay } from "./page-lookup.ts";
import { readTreeBlocks } from "./page-tree.ts";
import type { BlockQuery } from "./read-params.ts";

/** A block with what a reader needs to understand it out of its page: its ancestors and its own subtree. */
export type BlockView = {
  id: string;
  /** The page's name as written. */
  page: string;
  path: string;
  content: string;
  marker: string | null;
  priority: string | null;
  /** `YYYY-MM-DD` or null. */
  scheduled: string | null;
  deadline: string | null;
  properties: Record<string, unknown>;
  /** The parent chain, outermost first: each ancestor's id and content. */
  ancestors: { id: string; content: string }[];
  /** The block and its descendants as a Markdown outline. */
  markdown: string;
};

/** GetBlock: the block with this UUID (the first by seq if a copied `id::` repeats it), or null. */
export async function readBlock(connection: DuckDBConnection, query: BlockQuery): Promise<BlockView | null> {
  const reader = await connection.runAndReadAll(
    `SELECT b.id, pg.original_name, b.path, b.content, b.marker, b.priority, b.scheduled, b.deadline, b.properties
     FROM blocks b JOIN pages pg ON pg.path = b.path WHERE b.id = $id ORDER BY b.seq LIMIT 1`,
    { id: query.id },
  );
  const row = reader.getRowsJson()[0];
  if (row === undefined) return null;
  const path = row[2] as string;
  // The whole file is read once: the ancestor chain and the subtree both come from it.
  const blocks = await readTreeBlocks(connection, path);
  const byId = new Map(blocks.map((block) => [block.id, block]));
  const ancestors: { id: string; content: string }[] = [];
  const seen = new Set([query.id]);
  for (let parent = byId.get(query.id)?.parentId ?? null; parent !== null && !seen.has(parent); ) {
    const block = byId.get(parent);
    if (block === undefined) break;
    seen.add(parent);
    ancestors.unshift({ id: block.id, content: block.content });
    parent = block.parentId;
  }
  return {
    id: row[0] as string,
    page: row[1] as string,
    path,
    content: row[3] as string,
    marker: (row[4] as string | null) ?? null,
    priority: (row[5] as string | null) ?? null,
    scheduled: isoDay((row[6] as number | null) ?? null),
    deadline: isoDay((row[7] as number | null) ?? null),
    properties: row[8] === null ? {} : (JSON.parse(row[8] as string) as Record<string, unknown>),
    ancestors,
    markdown: renderOutline(blocks, query.id),
  };
}
