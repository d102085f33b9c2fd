import { listValue, type DuckDBConnection } from "@duckdb/node-api";
import { tokenize, foldText } from "./tokenize.ts";

export type SearchQuery = {
  text: string;
  limit: number;
  /** Only blocks of this page (name or alias, any case). */
  page?: string;
  /** Only blocks tagged with this tag (the block's own #tag/tags, or its page's tags::). */
  tag?: string;
  /** Only tasks with this marker (TODO, DONE, ...). */
  marker?: string;
};

export type SearchHit = {
  /** Graph-relative, `/`-separated. */
  path: string;
  /** Page name as written (original case). */
  page: string;
  blockId: string;
  content: string;
  marker: string | null;
  score: number;
  /** Query terms this block (or its page title, for a page's first block) contains. */
  matched: number;
};

/** BM25 parameters (the usual defaults). */
const K1 = 1.2;
const B = 0.75;
/** What a query term found in a page's name or alias adds to that page's first block. */
const TITLE_TERM_WEIGHT = 8;
/** What an exact page name or alias match adds: typing a page's name brings that page first. */
const EXACT_TITLE_WEIGHT = 100;

/**
 * Ranked block search over our own inverted index: BM25 over block content,
 * with page names and aliases weighing in on each page's first block. Blocks
 * matching more of the query's terms come first, then by score.
 */
export async function searchIndex(connection: DuckDBConnection, query: SearchQuery): Promise<SearchHit[]> {
  const terms = [...new Set(tokenize(query.text))];
  const filters = filterClauses(query);
  const params: Record<string, ReturnType<typeof listValue> | string | number> = { limit: query.limit, ...filters.params };
  let sql: string;
  if (terms.length === 0) {
    if (filters.where.length === 0) return [];
    sql = `SELECT b.path, pg.original_name, b.id, b.content, b.marker, 0.0 AS score, 0 AS matched
      FROM blocks b JOIN pages pg ON pg.path = b.path
      WHERE ${filters.where.join(" AND ")}
      ORDER BY pg.name, b.key LIMIT $limit`;
  } else {
    params["terms"] = listValue(terms);
    params["exact"] = foldText(query.text).trim().normalize("NFC");
    sql = `WITH
      q AS (SELECT hash(term) AS term_hash, term FROM (SELECT unnest($terms::VARCHAR[]) AS term)),
      stats AS (SELECT count(*)::DOUBLE AS n, greatest(avg(length), 1)::DOUBLE AS avgdl FROM blocks),
      hits AS (SELECT p.block_key, p.tf, q.term_hash, q.term FROM fts_postings p JOIN q ON p.term_hash = q.term_hash),
      df AS (SELECT t.term_hash, t.df::DOUBLE AS df FROM fts_terms t JOIN q ON t.term_hash = q.term_hash),
      content AS (
        SELECT h.block_key, h.term,
          ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5)) * h.tf * ${K1 + 1}
            / (h.tf + ${K1} * (${1 - B} + ${B} * b.length / s.avgdl)) AS score
        FROM hits h JOIN df d ON d.term_hash = h.term_hash JOIN blocks b ON b.key = h.block_key CROSS JOIN stats s),
      titles AS (
        SELECT first_block_key AS block_key,
          list_intersect(string_split(title_tokens, ' '), $terms::VARCHAR[]) AS found,
          (strip_accents(name) = $exact OR list_contains(list_transform(aliases, a -> strip_accents(a)), $exact)) AS exact
        FROM pages
        WHERE first_block_key IS NOT NULL AND list_has_any(string_split(title_tokens, ' '), $terms::VARCHAR[])),
      title_terms AS (
        SELECT block_key, unnest(found) AS term, ${TITLE_TERM_WEIGHT}.0 + CASE WHEN exact THEN ${EXACT_TITLE_WEIGHT} ELSE 0 END AS score
        FROM titles),
      scored AS (
        SELECT block_key, count(DISTINCT term) AS matched, sum(score) AS score
        FROM (SELECT * FROM content UNION ALL SELECT * FROM title_terms)
        GROUP BY block_key)
      SELECT b.path, pg.original_name, b.id, b.content, b.marker, s.score, s.matched
      FROM scored s JOIN blocks b ON b.key = s.block_key JOIN pages pg ON pg.path = b.path
      ${filters.where.length > 0 ? `WHERE ${filters.where.join(" AND ")}` : ""}
      ORDER BY s.matched DESC, s.score DESC, b.key
      LIMIT $limit`;
  }
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRows().map((row) => ({
    path: row[0] as string,
    page: row[1] as string,
    blockId: row[2] as string,
    content: row[3] as string,
    marker: (row[4] as string | null) ?? null,
    score: Math.round(Number(row[5]) * 1000) / 1000,
    matched: Number(row[6]),
  }));
}

function filterClauses(query: SearchQuery): { where: string[]; params: Record<string, string> } {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (query.page !== undefined) {
    params["page"] = pageKey(query.page);
    where.push(`(pg.name = $page OR list_contains(pg.aliases, $page))`);
  }
  if (query.tag !== undefined) {
    params["tag"] = pageKey(query.tag.replace(/^#/, ""));
    where.push(
      `(list_contains(pg.tags, $tag) OR EXISTS (SELECT 1 FROM refs r WHERE r.block_key = b.key AND r.target = $tag AND r.kind IN ('tag', 'property')))`,
    );
  }
  if (query.marker !== undefined) {
    params["marker"] = query.marker.toUpperCase();
    where.push(`b.marker = $marker`);
  }
  return { where, params };
}

/** Page names are compared lower-cased and NFC-normalised, as Logseq does. */
function pageKey(name: string): string {
  return name.trim().toLowerCase().normalize("NFC");
}
