import { BIGINT, DOUBLE, LIST, VARCHAR, listValue } from "./duckdb.ts";
import type { DuckDBConnection, DuckDBType } from "@duckdb/node-api";
import { foldText, tokenize } from "./tokenize.ts";
import { containsPhrase, parseQuery } from "./search-query.ts";
import { expandTerms, type TermMatch } from "./term-expansion.ts";

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
  /** Query words this block (or its page title, for a page's first block) matches. */
  matched: number;
  /** Each matched query word and the indexed term(s) it matched here: itself, a completion or a correction. */
  terms: Record<string, string[]>;
};

/** A block's rank is compared to this many decimals: closer ranks tie, and ties go in file order. */
export const RANK_DECIMALS = 9;
/** BM25 parameters (the usual defaults). */
export const K1 = 1.2;
export const B = 0.75;
/** What a query term found in a page's name or alias adds to that page's first block. */
export const TITLE_TERM_WEIGHT = 2;
/** What a query term found in a page's properties block (description::, type::, ...) adds to that block. */
export const PROPERTY_TERM_WEIGHT = TITLE_TERM_WEIGHT / 2;
/** A query word in a page's name or alias, on the page's other blocks: one typical content match's worth. */
export const PAGE_TERM_WEIGHT = 0.5;
/** What an exact page name or alias match adds: typing a page's name brings that page first. */
export const EXACT_TITLE_WEIGHT = 100;

/**
 * Ranked block search over our own inverted index (see README "Query
 * syntax"). Each query word matches itself, its completions when it is being
 * typed and its corrections when it is rare (term-expansion.ts); phrases
 * must appear in order. A block scores BM25 over its content plus its page's
 * name and aliases (in full on the page's first block, at a block's weight
 * on the others), scaled by the cube of the share of the query's IDF it
 * matched: a block matching the rare words ranks first.
 */
export async function searchIndex(connection: DuckDBConnection, query: SearchQuery): Promise<SearchHit[]> {
  const parsed = parseQuery(query.text);
  const filters = filterClauses(query);
  const params: Record<string, ReturnType<typeof listValue> | string | number> = { limit: query.limit, ...filters.params };
  if (parsed.phrases.length > 0) {
    const keys = await phraseBlocks(connection, parsed.phrases);
    if (keys.length === 0) return [];
    params["phrase_keys"] = listValue(keys);
    filters.where.push(`b.key IN (SELECT unnest($phrase_keys::BIGINT[]))`);
  }
  const matches: TermMatch[] = parsed.words.length === 0 ? [] : await expandTerms(connection, parsed.words, parsed.prefix);
  let sql: string;
  if (matches.length === 0) {
    // Words that match nothing find nothing; with no words at all, the filters alone list blocks.
    if (parsed.words.length > 0 || filters.where.length === 0) return [];
    sql = `SELECT b.path, pg.original_name, b.id, b.content, b.marker, 0.0 AS score, 0 AS matched, [] AS terms
      FROM blocks b JOIN pages pg ON pg.path = b.path
      WHERE ${filters.where.join(" AND ")}
      ORDER BY pg.name, b.seq LIMIT $limit`;
  } else {
    params["terms"] = listValue(matches.map((m) => m.term));
    params["words"] = listValue(matches.map((m) => m.word));
    params["weights"] = listValue(matches.map((m) => m.weight));
    params["exact"] = foldText(query.text).replaceAll('"', " ").trim().normalize("NFC");
    const titleTerms = [...new Set(matches.map((m) => m.term))];
    params["title_pattern"] = titlePattern(titleTerms);
    titleTerms.forEach((term, i) => (params[`title_${i}`] = term));
    sql = `WITH
      stats AS (SELECT count(*)::DOUBLE AS n, greatest(avg(length), 1)::DOUBLE AS avgdl FROM blocks),
      q AS (
        -- A word in no block (a title word only) has df 0: the highest IDF.
        SELECT u.term_hash, u.term, u.word, u.weight, ln(1 + (s.n - coalesce(t.df, 0) + 0.5) / (coalesce(t.df, 0) + 0.5)) AS idf
        FROM (SELECT hash(term) AS term_hash, term, word, weight FROM (
          SELECT unnest($terms::VARCHAR[]) AS term, unnest($words::VARCHAR[]) AS word, unnest($weights::DOUBLE[]) AS weight)) u
        LEFT JOIN fts_terms t ON t.term_hash = u.term_hash CROSS JOIN stats s),
      -- What matching each query word is worth: frequent words (how, do, a) little, through their IDF.
      word_idf AS (SELECT word, max(idf) AS idf FROM q GROUP BY word),
      total AS (SELECT sum(idf) AS idf FROM word_idf),
      postings AS (
        SELECT p.block_key, p.tf, b.length, b.pre_block, q.word, q.term, q.weight, q.idf
        FROM fts_postings p JOIN q ON p.term_hash = q.term_hash JOIN blocks b ON b.key = p.block_key
        WHERE ${postingsFilter(matches)}),
      content AS (
        SELECT p.block_key, p.word, p.term, 'content' AS source,
          p.weight * p.idf * p.tf * ${K1 + 1} / (p.tf + ${K1} * (${1 - B} + ${B} * p.length / s.avgdl)) AS score
        FROM postings p CROSS JOIN stats s
        UNION ALL
        -- A page's properties (description::, type::, ...) say what the page is about: a word there counts on
        -- the properties block, the page's first, as a page name's does, at half its weight.
        SELECT block_key, word, term, 'property' AS source, weight * idf * ${PROPERTY_TERM_WEIGHT} AS score
        FROM postings WHERE pre_block),
      titles AS MATERIALIZED (
        SELECT path, first_block_key,
          list_intersect(string_split(title_tokens, ' '), $terms::VARCHAR[]) AS found,
          (strip_accents(name) = $exact OR list_contains(list_transform(aliases, a -> strip_accents(a)), $exact)) AS exact
        FROM pages
        -- Any query term as a whole token; \`contains\` first, a cheap pass over every title (a third of the
        -- regular expression's cost, a tenth of splitting every title into a list).
        WHERE first_block_key IS NOT NULL AND (${titleTerms.map((_, i) => `contains(title_tokens, $title_${i})`).join(" OR ")})
          AND regexp_matches(title_tokens, $title_pattern)),
      title_terms AS (
        -- The page's first block stands for the page: its name and aliases weigh in there in full.
        SELECT t.first_block_key AS block_key, q.word, q.term, 'title' AS source,
          q.weight * q.idf * ${TITLE_TERM_WEIGHT} + CASE WHEN t.exact THEN ${EXACT_TITLE_WEIGHT} ELSE 0 END AS score
        FROM (SELECT first_block_key, exact, unnest(found) AS term FROM titles) t JOIN q ON q.term = t.term
        UNION ALL
        -- Every block of the page is about the page: a query word in the title counts as matched there too, at a
        -- block's weight, so a page that answers beats long pages mentioning every word once.
        SELECT b.key, q.word, q.term, 'page' AS source, q.weight * q.idf * ${PAGE_TERM_WEIGHT} AS score
        FROM (SELECT path, first_block_key, unnest(found) AS term FROM titles) t JOIN q ON q.term = t.term
        JOIN blocks b ON b.path = t.path AND b.key <> t.first_block_key),
      matches AS MATERIALIZED (SELECT * FROM content UNION ALL SELECT * FROM title_terms),
      per_word AS (
        -- A word counts once per block, by its best term from each source (a completion or a correction never
        -- adds to the word itself).
        SELECT block_key, word,
          coalesce(max(score) FILTER (WHERE source = 'content'), 0) + coalesce(max(score) FILTER (WHERE source = 'title'), 0)
            + coalesce(max(score) FILTER (WHERE source = 'page'), 0) + coalesce(max(score) FILTER (WHERE source = 'property'), 0) AS score
        FROM matches
        GROUP BY block_key, word),
      scored AS (
        SELECT w.block_key, count(*) AS matched, sum(w.score) AS score, sum(i.idf) / any_value(total.idf) AS coverage
        FROM per_word w JOIN word_idf i ON i.word = w.word CROSS JOIN total
        GROUP BY w.block_key),
      -- The score, scaled by the cube of the share of the query's IDF the block matched: missing "how" costs
      -- little, missing "deadline" much, and a block matching every word beats a title matching one of them.
      ranked AS (
        -- Ties go in file order (blocks.seq), whichever way (diff or whole rewrite) the blocks were written, then by
        -- path: a block a diff placed after its file's last block can share its seq with a block of another file.
        -- Rounded to ${RANK_DECIMALS} decimals: the sums above add a block's words in whatever order the
        -- aggregate meets them, so blocks of equal text differed in the last bit and came out in no set order.
        SELECT s.block_key, s.matched, s.score, round(s.score * s.coverage * s.coverage * s.coverage, ${RANK_DECIMALS}) AS rank, b.seq, b.path
        FROM scored s JOIN blocks b ON b.key = s.block_key${filters.where.length > 0 ? ` JOIN pages pg ON pg.path = b.path WHERE ${filters.where.join(" AND ")}` : ""}
        ORDER BY rank DESC, b.seq, b.path
        LIMIT $limit),
      -- Only the hits read their content and list their terms: the top N first, then the wide columns.
      hit_terms AS (
        SELECT block_key, list({word: word, terms: terms} ORDER BY word) AS terms
        FROM (SELECT block_key, word, list(DISTINCT term ORDER BY term) AS terms FROM matches
              WHERE block_key IN (SELECT block_key FROM ranked) GROUP BY block_key, word)
        GROUP BY block_key),
      -- By row id: DuckDB fetches those rows alone, where a join on key would read every block's content.
      hit_rows AS (SELECT rowid AS row_id, key FROM blocks WHERE key IN (SELECT block_key FROM ranked))
      SELECT b.path, pg.original_name, b.id, b.content, b.marker, r.score, r.matched, t.terms
      FROM ranked r JOIN hit_terms t ON t.block_key = r.block_key JOIN hit_rows h ON h.key = r.block_key
        JOIN blocks b ON b.rowid = h.row_id JOIN pages pg ON pg.path = b.path
      ORDER BY r.rank DESC, r.seq, r.path`;
  }
  // Typed: a JS number list would otherwise take the type of its first item (1 → INTEGER, then 0.7 fails).
  const types: Record<string, DuckDBType> = { terms: LIST(VARCHAR), words: LIST(VARCHAR), weights: LIST(DOUBLE), phrase_keys: LIST(BIGINT) };
  const reader = await connection.runAndReadAll(sql, params, Object.fromEntries(Object.entries(types).filter(([name]) => name in params)));
  return reader.getRows().map((row) => ({
    path: row[0] as string,
    page: row[1] as string,
    blockId: row[2] as string,
    content: row[3] as string,
    marker: (row[4] as string | null) ?? null,
    score: Math.round(Number(row[5]) * 1000) / 1000,
    matched: Number(row[6]),
    terms: wordTerms(row[7]),
  }));
}

/**
 * The query's postings by their terms' hashes, written into the statement:
 * with constants DuckDB expects a few postings and builds its hash join on
 * them, probing blocks; through the join with the query's terms alone it
 * expected millions and hashed all 287,540 blocks of a 20k-file graph
 * (27 ms of a rare word's 68 ms). The hashes are numbers the index gave.
 */
function postingsFilter(matches: readonly TermMatch[]): string {
  const hashes = [...new Set(matches.flatMap((m) => (m.termHash === null ? [] : [m.termHash.toString()])))];
  return hashes.length === 0 ? "false" : `p.term_hash IN (${hashes.join(", ")})`;
}

/** A regular expression matching a space-joined token list that holds any of `terms` as a whole token. */
function titlePattern(terms: readonly string[]): string {
  const escaped = terms.map((term) => term.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"));
  return `(^| )(${escaped.join("|")})( |$)`;
}

/** `[{word, terms}]` as DuckDB returns it, as a plain object. */
function wordTerms(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const items = (value as { items?: unknown[] } | null)?.items ?? [];
  for (const item of items) {
    const entry = (item as { entries: { word: string; terms: { items: string[] } } }).entries;
    out[entry.word] = [...entry.terms.items];
  }
  return out;
}

/** Blocks checked for a phrase at most: candidates hold every word of it; the check reads their content. */
export const PHRASE_CANDIDATES = 5000;

/**
 * The keys of blocks holding every phrase, words in order. Candidates come
 * from the postings (blocks holding all the phrase's words); their content
 * is then tokenised as when indexed and checked for the sequence, so no
 * positions need storing.
 */
async function phraseBlocks(connection: DuckDBConnection, phrases: string[][]): Promise<bigint[]> {
  const words = [...new Set(phrases.flat())];
  const reader = await connection.runAndReadAll(
    `SELECT b.key, b.content FROM blocks b
     JOIN (SELECT block_key FROM fts_postings WHERE term_hash IN (SELECT hash(unnest($words::VARCHAR[])))
           GROUP BY block_key HAVING count(*) = $n) c ON c.block_key = b.key
     ORDER BY b.seq, b.path LIMIT ${PHRASE_CANDIDATES}`,
    { words: listValue(words), n: words.length },
  );
  const keys: bigint[] = [];
  for (const row of reader.getRows()) {
    const tokens = tokenize(row[1] as string);
    if (phrases.every((phrase) => containsPhrase(tokens, phrase))) keys.push(row[0] as bigint);
  }
  return keys;
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
