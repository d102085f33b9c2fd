import { damerauLevenshtein } from "./edit-distance.ts";
import { EXACT, INSIDE, MIN_INSIDE_LENGTH, PREFIX, TYPO, type PageHit, type PageSearchQuery } from "./page-search.ts";
import { parseQuery } from "./search-query.ts";
import { codePoints, type SearchModel } from "./search-model.ts";
import { byBytes } from "./search-memory.ts";

/**
 * searchPages (page-search.ts) over the in-memory model's title words: each
 * distinct title word is compared with each query word once, then pages
 * collect their words' best scores. Equal to the SQL path
 * (test/index/search-memory.test.ts).
 */
export function searchPagesInMemory(model: SearchModel, query: PageSearchQuery): PageHit[] {
  const words = parseQuery(query.text).words;
  if (words.length === 0 || query.limit < 1) return [];
  const probes = words.map((word) => {
    const length = codePoints(word);
    return { word, length, k: length < 4 ? 0 : length < 8 ? 1 : 2 };
  });
  // page → its best score per query word.
  const best = new Map<number, number[]>();
  for (const [token, pages] of model.allPagesByTitleWord) {
    let tokenLength = -1;
    probes.forEach((probe, w) => {
      let score = 0;
      if (token === probe.word) score = EXACT;
      else if (token.startsWith(probe.word)) score = PREFIX;
      else if (probe.k > 0 && Math.abs((tokenLength < 0 ? (tokenLength = codePoints(token)) : tokenLength) - probe.length) <= probe.k && damerauLevenshtein(token, probe.word) <= probe.k) score = TYPO;
      else if (probe.length >= MIN_INSIDE_LENGTH && token.includes(probe.word)) score = INSIDE;
      if (score === 0) return;
      for (const page of pages) {
        let scores = best.get(page);
        if (scores === undefined) best.set(page, (scores = new Array<number>(probes.length).fill(0)));
        if ((scores[w] as number) < score) scores[w] = score;
      }
    });
  }
  const hits = [...best].map(([index, scores]) => {
    const page = model.pages[index] as SearchModel["pages"][number];
    return {
      hit: { page: page.originalName, path: page.path, aliases: page.aliases, matched: scores.filter((s) => s > 0).length, score: scores.reduce((a, b) => a + b, 0) },
      nameLength: codePoints(page.originalName),
    };
  });
  hits.sort((a, b) => b.hit.matched - a.hit.matched || b.hit.score - a.hit.score || a.nameLength - b.nameLength || byBytes(a.hit.page, b.hit.page) || byBytes(a.hit.path, b.hit.path));
  return hits.slice(0, query.limit).map((h) => h.hit);
}

