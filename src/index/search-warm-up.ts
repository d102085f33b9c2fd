import type { SearchModel } from "./search-model.ts";

/**
 * What the service types once its model is loaded (search-model-cache.ts
 * `warm`), so that the first person typing does not pay for compiling the
 * in-memory ranking: on a 20,000-file index, the first keystrokes of "that"
 * through the socket took 134, 89, 37 and 32 ms where the same kind of
 * keystroke later took 15-30 (the ranking's per-word, pruned and scratch
 * paths run for the first time; a rare word's search, the bench's warm-up,
 * runs none of them). The graph's most frequent term of three or more
 * letters, `t`, and the next, `u`: as typed ("t"[0..2], "t"[0..3]), whole,
 * and both words, the second being typed. None on a graph without such a term.
 */
export function warmUpQueries(model: SearchModel): string[] {
  let first = { term: "", df: 0 };
  let second = { term: "", df: 0 };
  for (const term of model.sortedTerms) {
    if (!WORD.test(term)) continue;
    const df = model.vocabulary.get(term)?.df ?? 0;
    if (df > first.df) [first, second] = [{ term, df }, first];
    else if (df > second.df) second = { term, df };
  }
  const t = first.term;
  if (t === "") return [];
  const queries = [t.slice(0, 2), t.slice(0, 3), `${t} `];
  if (second.term !== "") queries.push(`${t} ${second.term.slice(0, 3)}`, `${t} ${second.term} `);
  return queries;
}

/** Three or more ASCII letters: typed as it is indexed (tokenize.ts folds nothing away). */
const WORD = /^[a-z]{3,}$/;
