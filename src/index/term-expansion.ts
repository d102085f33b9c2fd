import { LIST, VARCHAR, listValue } from "./duckdb.ts";
import type { DuckDBConnection, DuckDBType, DuckDBValue } from "@duckdb/node-api";

/** How a query word reached an indexed term. */
export type TermMatchKind = "exact" | "prefix" | "typo";

/**
 * One indexed term a query word matches, and what a hit on it weighs
 * relative to an exact hit. `termHash` is the term's `fts_terms.term_hash`,
 * null when the vocabulary lacks it (a title word only: it has no postings).
 */
export type TermMatch = { word: string; term: string; kind: TermMatchKind; weight: number; termHash: bigint | null };

/** Prefixes shorter than this match too much of the vocabulary to mean anything. */
export const MIN_PREFIX_LENGTH = 2;
/** The most frequent completions of a prefix that take part (`flashc` → flashcards, flashcard). */
export const PREFIX_COMPLETIONS = 16;
/** A completion weighs less than the word typed in full: exact matches rank first. */
export const PREFIX_WEIGHT = 0.7;
/** Words shorter than this are not corrected: at 1-3 letters one edit reaches too many other words. */
const MIN_TYPO_LENGTH = 4;
/** Words of this length or more may be 2 edits away; shorter ones 1. */
const TWO_EDITS_FROM = 8;
/** A word in at most this many blocks counts as rare: it may be a typo of a commoner word. */
const RARE_DF = 2;
/** Corrections kept per word: the closest, then the most frequent. */
export const CORRECTIONS = 3;
/** What a corrected term weighs, by edit distance: below an exact or prefix match. */
export const TYPO_WEIGHT = [1, 0.6, 0.4] as const;

/**
 * The indexed terms each query word matches: itself when indexed; for the
 * word being typed, the vocabulary's most frequent completions; and for a
 * word that is rare or absent, the vocabulary's terms within a small edit
 * distance (1 for 4-7 letters, 2 for longer words) that are more frequent.
 * The word being typed also completes to the words of page names and
 * aliases (`pages.title_tokens`), which may be in no block at all.
 *
 * Both expansions scan `fts_terms` (the vocabulary, never the postings) in
 * one statement. Typo candidates are first narrowed by a pigeonhole filter:
 * a term within k edits of the word contains at least one of k+1 disjoint
 * pieces of it, and `contains` is far cheaper than an edit distance. Its one
 * blind spot, a letter swap across a piece boundary, is covered by looking
 * up the word's adjacent-swap variants directly.
 */
export async function expandTerms(connection: DuckDBConnection, words: readonly string[], prefix: string | null): Promise<TermMatch[]> {
  if (words.length === 0) return [];
  const exact = await connection.runAndReadAll(
    `SELECT w, coalesce(t.df, 0), t.term_hash FROM (SELECT unnest($words::VARCHAR[]) AS w) LEFT JOIN fts_terms t ON t.term_hash = hash(w) AND t.term = w`,
    { words: listValue([...words]) },
  );
  const df = new Map(exact.getRows().map((row) => [row[0] as string, Number(row[1])]));
  const hashes = new Map(exact.getRows().map((row) => [row[0] as string, (row[2] as bigint | null) ?? null]));
  const matches: TermMatch[] = [];
  // Every word matches itself, indexed or not: a page name may be in no block's text, yet it is a title word.
  for (const word of words) matches.push({ word, term: word, kind: "exact", weight: 1, termHash: hashes.get(word) ?? null });

  const probes: Probe[] = words.map((word) => {
    const k = typoDistance(word, df.get(word) ?? 0);
    return { word, k, pieces: k > 0 ? pieces(word, k + 1) : [], swaps: k > 0 ? adjacentSwaps(word) : [], prefix: word === prefix && [...word].length >= MIN_PREFIX_LENGTH };
  }).filter((p) => p.k > 0 || p.prefix);
  if (probes.length === 0) return matches;

  const statement = candidateStatement(probes);
  const reader = await connection.runAndReadAll(statement.sql, statement.params, statement.types);
  const rows = reader.getRows().map((row) => ({
    word: row[0] as string,
    term: row[1] as string,
    df: Number(row[2]),
    completes: row[3] as boolean,
    distance: Number(row[4]),
    termHash: (row[5] as bigint | null) ?? null,
  }));
  for (const probe of probes) {
    const own = rows.filter((r) => r.word === probe.word);
    const completions = probe.prefix
      ? own.filter((r) => r.completes).sort((a, b) => b.df - a.df || compare(a.term, b.term)).slice(0, PREFIX_COMPLETIONS)
      : [];
    for (const r of completions) matches.push({ word: probe.word, term: r.term, kind: "prefix", weight: PREFIX_WEIGHT, termHash: r.termHash });
    const wordDf = df.get(probe.word) ?? 0;
    // A word being typed that completes to something is not a typo: "flashc" is flashcards, not flash.
    if (completions.length > 0) continue;
    const corrections = own
      .filter((r) => r.distance <= probe.k && r.df > wordDf && !completions.includes(r))
      .sort((a, b) => a.distance - b.distance || b.df - a.df || compare(a.term, b.term))
      .slice(0, CORRECTIONS);
    for (const r of corrections) matches.push({ word: probe.word, term: r.term, kind: "typo", weight: TYPO_WEIGHT[r.distance] ?? 0, termHash: r.termHash });
  }
  return matches;
}

type Probe = { word: string; k: number; pieces: string[]; swaps: string[]; prefix: boolean };

/**
 * One statement for every probe's candidates, each probe its own scan of the
 * vocabulary with its word and pieces as parameters: DuckDB then compares
 * each term with constants, where a join of the vocabulary with a table of
 * probes evaluated the whole condition row by row (half the time on a
 * 74,574-term vocabulary). Conditions a probe does not need are left out.
 */
function candidateStatement(probes: readonly Probe[]): { sql: string; params: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
  const params: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  const parts = probes.map((probe, i) => {
    params[`w${i}`] = probe.word;
    const any: string[] = [];
    if (probe.prefix) any.push(`starts_with(t.term, $w${i})`);
    if (probe.k > 0) {
      probe.pieces.forEach((piece, j) => (params[`p${i}_${j}`] = piece));
      const contained = probe.pieces.map((_, j) => `contains(t.term, $p${i}_${j})`).join(" OR ");
      any.push(`(abs(length(t.term) - length($w${i})) <= ${probe.k} AND (${contained}))`);
      if (probe.swaps.length > 0) {
        params[`s${i}`] = listValue(probe.swaps);
        types[`s${i}`] = LIST(VARCHAR);
        any.push(`list_contains($s${i}, t.term)`);
      }
    }
    return `SELECT $w${i}::VARCHAR AS word, ${probe.k} AS k, ${probe.prefix} AS prefix, t.term, t.df, t.term_hash
      FROM fts_terms t WHERE t.term <> $w${i} AND (${any.join(" OR ")})`;
  });
  const typed = probes.find((p) => p.prefix)?.word;
  if (typed !== undefined) {
    params["typed"] = typed;
    // Page names and aliases complete the word too: a page's name need not be in any block (Flashcards).
    parts.push(`SELECT $typed::VARCHAR, 0, true, t.term, 0, NULL FROM
      (SELECT DISTINCT unnest(string_split(title_tokens, ' ')) AS term FROM pages WHERE contains(title_tokens, $typed)) t
      WHERE starts_with(t.term, $typed) AND t.term <> $typed`);
  }
  const sql = `WITH candidates AS (${parts.join(" UNION ALL ")})
    SELECT word, term, max(df)::BIGINT AS df,
      bool_or(prefix AND starts_with(term, word)) AS completes,
      min(CASE WHEN k > 0 THEN damerau_levenshtein(term, word) ELSE 99 END) AS distance, max(term_hash) AS term_hash
    FROM candidates GROUP BY word, term`;
  return { sql, params, types };
}

/** The edit distance a word may be corrected by: 0 for short, common or non-alphabetic words. */
export function typoDistance(word: string, df: number): number {
  const length = [...word].length;
  if (length < MIN_TYPO_LENGTH || df > RARE_DF || /^\p{N}+$/u.test(word)) return 0;
  return length >= TWO_EDITS_FROM ? 2 : 1;
}

/** `word` cut into `count` disjoint pieces of near-equal length (by code point). */
export function pieces(word: string, count: number): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const piece = chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join("");
    if (piece !== "") out.push(piece);
  }
  return out;
}

/** Every variant of `word` with two adjacent letters swapped (the typo a piece filter can miss). */
export function adjacentSwaps(word: string): string[] {
  const chars = [...word];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) {
    if (chars[i] === chars[i + 1]) continue;
    const swapped = [...chars];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1] as string, swapped[i] as string];
    out.add(swapped.join(""));
  }
  return [...out];
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
