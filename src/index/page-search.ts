import { INTEGER, LIST, VARCHAR, listValue } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { parseQuery } from "./search-query.ts";

export type PageSearchQuery = { text: string; limit: number };

export type PageHit = {
  /** Page name as written (original case). */
  page: string;
  /** Graph-relative, `/`-separated. */
  path: string;
  aliases: string[];
  /** Query words found in the page's name or aliases (exactly, as a prefix, with a typo or inside a word). */
  matched: number;
  score: number;
};

/** What a query word scores against a title word, by how it matched. */
export const EXACT = 3;
export const PREFIX = 2;
export const TYPO = 1.5;
export const INSIDE = 1;
/** A query word this short only matches the start of a title word (inside one it matches too much). */
export const MIN_INSIDE_LENGTH = 3;

/**
 * Pages by fuzzy title, as Logseq's search box finds them: every query word
 * is looked for among the folded words of each page's name and aliases
 * (`pages.title_tokens`), in any order, as a whole word, as its start, with
 * a typo (1 edit for 4-7 letters, 2 from 8) or inside a longer word. Pages
 * matching more query words come first, then better matches, then shorter names.
 */
export async function searchPages(connection: DuckDBConnection, query: PageSearchQuery): Promise<PageHit[]> {
  const words = parseQuery(query.text).words;
  if (words.length === 0) return [];
  const k = words.map((word) => {
    const length = [...word].length;
    return length < 4 ? 0 : length < 8 ? 1 : 2;
  });
  const reader = await connection.runAndReadAll(
    `WITH w AS (SELECT unnest($words::VARCHAR[]) AS word, unnest($k::INTEGER[]) AS k),
      t AS MATERIALIZED (SELECT path, unnest(string_split(title_tokens, ' ')) AS token FROM pages),
      -- Each distinct title word is compared once (3,902 of them for 48,909 title words on a 20k-file graph):
      -- the edit distances were most of the cost.
      hits AS (
        SELECT token, word, score FROM (
          SELECT v.token, w.word, CASE
            WHEN v.token = w.word THEN ${EXACT}
            WHEN starts_with(v.token, w.word) THEN ${PREFIX}
            WHEN w.k > 0 AND abs(length(v.token) - length(w.word)) <= w.k AND damerau_levenshtein(v.token, w.word) <= w.k THEN ${TYPO}
            WHEN length(w.word) >= ${MIN_INSIDE_LENGTH} AND contains(v.token, w.word) THEN ${INSIDE}
            ELSE 0 END AS score
          FROM (SELECT DISTINCT token FROM t) v, w)
        WHERE score > 0),
      -- A page's best match per query word; words it does not match add nothing.
      m AS (SELECT t.path, h.word, max(h.score) AS score FROM t JOIN hits h ON h.token = t.token GROUP BY t.path, h.word)
      SELECT p.original_name, p.path, coalesce(p.aliases, []), count(*) AS matched, sum(m.score) AS score
      FROM m JOIN pages p ON p.path = m.path
      GROUP BY p.original_name, p.path, p.aliases
      ORDER BY matched DESC, score DESC, length(p.original_name), p.original_name, p.path
      LIMIT $limit`,
    { words: listValue(words), k: listValue(k), limit: query.limit },
    { words: LIST(VARCHAR), k: LIST(INTEGER) },
  );
  return reader.getRows().map((row) => ({
    page: row[0] as string,
    path: row[1] as string,
    aliases: [...((row[2] as { items: string[] } | null)?.items ?? [])],
    matched: Number(row[3]),
    score: Number(row[4]),
  }));
}
