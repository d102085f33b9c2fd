import type { DuckDBConnection } from "@duckdb/node-api";
import type { IndexedDocument } from "./index-batch.ts";
import type { DiffBlock } from "./diff-state-cache.ts";

/**
 * A page's page-level fields (name, title, journal day, format, properties,
 * aliases, tags, title tokens) as one text: a block diff applies only when
 * they are unchanged (incremental-write.ts), else the file goes whole.
 */
export function pageFieldsText(page: IndexedDocument["page"]): string {
  const properties = Object.keys(page.properties).length > 0 ? JSON.stringify(page.properties) : null;
  return JSON.stringify([page.name, page.originalName, page.journalDay === null ? null : String(page.journalDay), page.format,
    properties, JSON.stringify(page.aliases), JSON.stringify(page.tags), page.titleTokens]);
}

/** The indexed page's fields as DuckDB writes them (the text pageFieldsText gives for an equal page). */
export const PAGE_FIELDS_SQL = `to_json([name, original_name, journal_day::VARCHAR, format, properties::VARCHAR,
       to_json(aliases)::VARCHAR, to_json(tags)::VARCHAR, title_tokens])::VARCHAR`;

/** The page fields of the write that left a cached state (DiffStateCache): its rows hold them. */
const fieldsOf = new WeakMap<DiffBlock[], string>();

export function rememberPageFields(state: DiffBlock[], fields: string): DiffBlock[] {
  fieldsOf.set(state, fields);
  return state;
}

/**
 * Whether the indexed page of `path` has `fields`. A cached state answers
 * without DuckDB (a read of the pages table, 3-36 ms at 20,000 files,
 * per edit); otherwise the row is read.
 */
export async function samePageFields(c: DuckDBConnection, path: string, fields: string, cached: DiffBlock[] | undefined): Promise<boolean> {
  const known = cached === undefined ? undefined : fieldsOf.get(cached);
  if (known !== undefined) return known === fields;
  const reader = await c.runAndReadAll(`SELECT ${PAGE_FIELDS_SQL} FROM pages WHERE path = $path`, { path });
  const row = reader.getRows();
  return row.length === 1 && row[0]?.[0] === fields;
}
