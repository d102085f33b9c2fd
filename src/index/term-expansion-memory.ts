import { damerauLevenshtein } from "./edit-distance.ts";
import { codePoints, withPrefix, type SearchModel } from "./search-model.ts";
import {
  CORRECTIONS,
  MIN_PREFIX_LENGTH,
  PREFIX_COMPLETIONS,
  PREFIX_WEIGHT,
  TYPO_WEIGHT,
  adjacentSwaps,
  compare,
  pieces,
  typoDistance,
  type TermMatch,
} from "./term-expansion.ts";

type Candidate = { term: string; df: number; completes: boolean; distance: number; hash: string | null };

/**
 * expandTerms (term-expansion.ts) over the in-memory vocabulary and title
 * words: the same matches, found by a binary search for the prefix, a map
 * lookup for each adjacent swap and the pigeonhole filter over the terms of
 * a close length only. Equal to the SQL path (test/index/search-memory.test.ts).
 */
export function expandTermsInMemory(model: SearchModel, words: readonly string[], prefix: string | null): TermMatch[] {
  const matches: TermMatch[] = [];
  for (const word of words) {
    const hash = model.vocabulary.get(word)?.hash;
    matches.push({ word, term: word, kind: "exact", weight: 1, termHash: hash === undefined ? null : BigInt(hash) });
  }
  for (const word of words) {
    const wordDf = model.vocabulary.get(word)?.df ?? 0;
    const k = typoDistance(word, wordDf);
    const typing = word === prefix && codePoints(word) >= MIN_PREFIX_LENGTH;
    if (k === 0 && !typing) continue;
    const candidates = candidatesOf(model, word, k, typing);
    const completions = typing
      ? [...candidates.values()].filter((c) => c.completes).sort((a, b) => b.df - a.df || compare(a.term, b.term)).slice(0, PREFIX_COMPLETIONS)
      : [];
    for (const c of completions) matches.push({ word, term: c.term, kind: "prefix", weight: PREFIX_WEIGHT, termHash: hashOf(c) });
    // A word being typed that completes to something is not a typo: "flashc" is flashcards, not flash.
    if (completions.length > 0) continue;
    const corrections = [...candidates.values()]
      .filter((c) => c.distance <= k && c.df > wordDf)
      .sort((a, b) => a.distance - b.distance || b.df - a.df || compare(a.term, b.term))
      .slice(0, CORRECTIONS);
    for (const c of corrections) matches.push({ word, term: c.term, kind: "typo", weight: TYPO_WEIGHT[c.distance] ?? 0, termHash: hashOf(c) });
  }
  return matches;
}

/** The SQL path's candidate rows for one word, grouped by term as its GROUP BY word, term does. */
function candidatesOf(model: SearchModel, word: string, k: number, typing: boolean): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  const vocabularyTerm = (term: string) => {
    if (term === word || out.has(term)) return;
    const entry = model.vocabulary.get(term);
    if (entry === undefined) return;
    const completes = typing && term.startsWith(word);
    out.set(term, { term, df: entry.df, completes, distance: k > 0 ? damerauLevenshtein(term, word) : 99, hash: entry.hash });
  };
  // A term that left the vocabulary since the load is still listed there: `vocabularyTerm` skips it.
  if (typing) for (const sorted of [model.sortedTerms, model.addedTerms]) for (const term of withPrefix(sorted, word)) vocabularyTerm(term);
  if (k > 0) {
    const parts = pieces(word, k + 1);
    const length = codePoints(word);
    for (let l = Math.max(0, length - k); l <= length + k; l++) {
      const loaded = model.termsByLength.get(l);
      if (loaded !== undefined) termsHolding(loaded, parts, vocabularyTerm);
      for (const term of model.addedByLength.get(l) ?? []) if (parts.some((part) => term.includes(part))) vocabularyTerm(term);
    }
    for (const swap of adjacentSwaps(word)) vocabularyTerm(swap);
  }
  if (typing) {
    // Page names and aliases complete the word too: a page's name need not be in any block (Flashcards).
    for (const term of withPrefix(model.titleWords, word)) {
      if (term === word) continue;
      const known = out.get(term);
      if (known === undefined) out.set(term, { term, df: 0, completes: true, distance: 99, hash: null });
      else known.completes = true;
    }
  }
  return out;
}

/** A length bucket of the loaded vocabulary as one text, each term followed by a newline, and where each term starts. */
type JoinedTerms = { text: string; starts: Int32Array };

/** By the loaded model's bucket arrays, which never change (refreshes add terms to addedByLength). */
const joinedBuckets = new WeakMap<readonly string[], JoinedTerms>();

/**
 * Calls `visit` once for each of `terms` holding any of `parts`, as
 * `parts.some((part) => term.includes(part))` over the list would, in no
 * particular order (the candidates are sorted afterwards). A search for each
 * part through the bucket joined into one text: a typo's pigeonhole filter
 * over the 30,000-file bench graph's terms of its length ± 2 (about 62,000)
 * took 2.9 ms term by term, 0.3 ms this way. A part holds no newline, so
 * each occurrence lies inside one term.
 */
export function termsHolding(terms: readonly string[], parts: readonly string[], visit: (term: string) => void): void {
  let joined = joinedBuckets.get(terms);
  if (joined === undefined) {
    const starts = new Int32Array(terms.length);
    let at = 0;
    for (let i = 0; i < terms.length; i++) {
      starts[i] = at;
      at += (terms[i] as string).length + 1;
    }
    joined = { text: terms.join("\n") + "\n", starts };
    joinedBuckets.set(terms, joined);
  }
  const { text, starts } = joined;
  for (const part of parts) {
    if (part === "") {
      for (const term of terms) visit(term);
      return;
    }
    for (let at = text.indexOf(part); at !== -1; ) {
      const i = termAt(starts, at);
      visit(terms[i] as string);
      // The rest of this term holds nothing more to find: on from the next one.
      at = text.indexOf(part, (i + 1 < starts.length ? (starts[i + 1] as number) : text.length));
    }
  }
}

/** The index of the term whose text holds offset `at` (the last start at or before it). */
function termAt(starts: Int32Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function hashOf(candidate: Candidate): bigint | null {
  return candidate.hash === null ? null : BigInt(candidate.hash);
}
