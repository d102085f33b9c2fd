import type { DuckDBConnection } from "@duckdb/node-api";
import { parseJournalFileName } from "../logseq/dates.ts";
import { normalizePageName } from "../logseq/page-name.ts";

/** Page names are compared lower-cased, NFC-normalised and trimmed, as Logseq does. */
export function pageKey(name: string): string {
  return normalizePageName(name.trim());
}

/** The `pages` row a name, alias or journal day (`2024-03-01`, `20240301`) designates. */
export type PageRow = {
  name: string;
  originalName: string;
  path: string;
  journalDay: number | null;
  format: string;
  properties: Record<string, unknown>;
  aliases: string[];
  tags: string[];
};

/**
 * Finds a page by name or alias, in any case; a journal day written as a
 * date finds that day's journal whatever the graph's title format. When two
 * files share a name (a clash, see docs/schema.md) the page named so wins
 * over an alias, then the first path.
 */
export async function findPage(connection: DuckDBConnection, name: string): Promise<PageRow | null> {
  const key = pageKey(name);
  const day = parseJournalFileName(name.trim());
  const reader = await connection.runAndReadAll(
    `SELECT name, original_name, path, journal_day, format, properties, aliases, tags FROM pages
     WHERE name = $key OR list_contains(aliases, $key) OR journal_day = $day
     ORDER BY name = $key DESC, list_contains(aliases, $key) DESC, path LIMIT 1`,
    { key, day: day ?? -1 },
  );
  const row = reader.getRowsJson()[0];
  if (row === undefined) return null;
  return {
    name: row[0] as string,
    originalName: row[1] as string,
    path: row[2] as string,
    journalDay: (row[3] as number | null) ?? null,
    format: row[4] as string,
    properties: row[5] === null ? {} : (JSON.parse(row[5] as string) as Record<string, unknown>),
    aliases: (row[6] as string[] | null) ?? [],
    tags: (row[7] as string[] | null) ?? [],
  };
}

/** `20240302` → `2024-03-02`: the form a model reads and writes back. */
export function isoDay(day: number | null): string | null {
  if (day === null) return null;
  const s = String(day).padStart(8, "0");
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}
