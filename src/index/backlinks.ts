import { listValue } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { findPage, pageKey } from "./page-lookup.ts";
import type { BacklinksQuery } from "./read-params.ts";

export type Backlink = {
  /** The referring page's name as written. */
  page: string;
  path: string;
  blockId: string;
  content: string;
  /** How the block refers to the page, sorted: `page` ([[x]]), `tag` (#x, tags::), `embed-page`, `property`. */
  kinds: string[];
};

export type BacklinksView = {
  /** The page's name as written; the name asked for when no file defines the page. */
  page: string;
  /** Referring blocks in all; `references` holds the first `limit`. */
  total: number;
  references: Backlink[];
};

/** Ref kinds that link to a page (`block`/`embed-block` target blocks; `namespace` is a name's own parent). */
const PAGE_REF_KINDS = ["page", "tag", "embed-page", "property"];
/**
 * Backlinks: blocks of other pages that refer to the page by its name or any
 * of its aliases (as Logseq's "Linked references" do; the page's own blocks
 * are left out). A page that no file defines but some block refers to has
 * backlinks too; a name nothing knows gives null.
 */
export async function readBacklinks(connection: DuckDBConnection, query: BacklinksQuery): Promise<BacklinksView | null> {
  const page = await findPage(connection, query.name);
  const names = page === null ? [pageKey(query.name)] : [page.name, ...page.aliases];
  const reader = await connection.runAndReadAll(
    `WITH linking AS (
       SELECT r.block_key, list_sort(list_distinct(list(r.kind))) AS kinds FROM refs r
       WHERE list_contains($names::VARCHAR[], r.target) AND list_contains($kinds::VARCHAR[], r.kind) AND r.page <> $self
       GROUP BY r.block_key)
     SELECT pg.original_name, b.path, b.id, b.content, l.kinds, count(*) OVER () AS total
     FROM linking l JOIN blocks b ON b.key = l.block_key JOIN pages pg ON pg.path = b.path
     ORDER BY pg.name, b.path, b.seq LIMIT $limit`,
    { names: listValue(names), kinds: listValue(PAGE_REF_KINDS), self: page?.name ?? "", limit: query.limit },
  );
  const rows = reader.getRowsJson();
  if (page === null && rows.length === 0) return null;
  return {
    page: page?.originalName ?? query.name.trim(),
    total: rows.length === 0 ? 0 : Number(rows[0]?.[5]),
    references: rows.map((row) => ({
      page: row[0] as string,
      path: row[1] as string,
      blockId: row[2] as string,
      content: row[3] as string,
      kinds: row[4] as string[],
    })),
  };
}
