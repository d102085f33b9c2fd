/**
 * Ranking in memory (search-memory.ts): every matched block's BM25 score by
 * word and source, summed as the SQL path sums them, and the top `limit` by
 * rank, over per-slot scratch arrays; frequent words pruned as MaxScore does.
 */

import { B, EXACT_TITLE_WEIGHT, K1, PAGE_TERM_WEIGHT, PROPERTY_TERM_WEIGHT, RANK_DECIMALS, TITLE_TERM_WEIGHT } from "./search.ts";
import type { Postings } from "./posting-lists.ts";
import type { ModelPage, SearchModel } from "./search-model.ts";
import type { TermMatch } from "./term-expansion.ts";

const RANK_SCALE = 10 ** RANK_DECIMALS;
/** Where a match comes from, in the order the SQL path adds a word's best score per source (content and property: addPostings). */
const TITLE = 1 as const;
const PAGE = 2 as const;

/** `page`: the block's page index, in path order: ties of rank and seq go by path, as in SQL. */
export type Scored = { slot: number; rank: number; seq: number; page: number; score: number; matched: number };

export type Match = TermMatch & { w: number; idf: number };

/** What ranking one query reads, besides the model and its scratch. */
type Ranking = {
  model: SearchModel;
  x: Scratch;
  norm: Float64Array;
  wordCount: number;
  q: readonly Match[];
  postings: Map<string, Postings>;
  exactText: string;
  wordIdf: readonly number[];
  totalIdf: number;
  allowed: Set<number> | null;
};

/**
 * Every matched block's score, then the top `limit` by rank (score ×
 * coverage³), ties in file order: a bounded insertion, not a sort of tens of
 * thousands of blocks. Word by word, as the SQL path's per_word: a word's
 * best score per source on each block (a completion or a correction never
 * adds to the word itself), their sum added to the block's score. Dense
 * arrays by slot (the model's scratch) instead of a row per block: no
 * allocation per posting. Synchronous: the scratch is clean again before
 * any other search runs.
 *
 * A query with words far more frequent than its rarest ("that" beside a
 * rare word) is pruned as MaxScore does (maxScorePlan): the candidates are
 * the blocks the other words' postings reach and every block a title match
 * reaches; they are ranked exactly (every word, in the same order, the
 * frequent words' postings added to them alone). When the `limit`-th of
 * their ranks is above the highest rank a block that only the frequent
 * words' postings reach could have, that is the answer, to the last bit:
 * the tens of thousands of blocks "that" alone reaches are never ranked.
 * Otherwise every block is ranked, as without pruning. Within a word
 * matched by several terms (the completions of the word being typed, its
 * corrections) the terms far more frequent than the word's strongest are
 * pruned the same way when no whole word is ("th": the and that beside
 * rarer completions; matchPlan).
 */
export function rankBlocks(
  model: SearchModel,
  wordCount: number,
  q: readonly Match[],
  postings: Map<string, Postings>,
  exactText: string,
  wordIdf: readonly number[],
  totalIdf: number,
  allowed: Set<number> | null,
  limit: number,
): Scored[] {
  const r: Ranking = { model, x: scratchOf(model), norm: lengthNorms(model), wordCount, q, postings, exactText, wordIdf, totalIdf, allowed };
  const single = q.length === 1 && wordCount === 1 && allowed === null ? rankOneTerm(r, limit) : null;
  if (single !== null) {
    oneTermRankings.count++;
    return single;
  }
  const plan = maxScorePlan(r);
  if (plan !== null) {
    const only = { frequent: plan.frequent, generation: markCandidates(r, plan.frequent) };
    // Every candidate ranked exactly: each word, the frequent terms' postings on candidates only.
    const top = topBlocks(r, scoreWords(r, only), limit);
    if (top.length === limit && (top[limit - 1] as Scored).rank > plan.bound + PRUNE_MARGIN) {
      pruning.pruned++;
      return top;
    }
    pruning.rankedWhole++;
  }
  return topBlocks(r, scoreWords(r, null), limit);
}

/** How often a query of one term was ranked straight from its postings (rankOneTerm; for tests). */
export const oneTermRankings = { count: 0 };

/** How often a query planned for pruning was answered from its candidates, or had to be ranked whole (for tests). */
export const pruning = { pruned: 0, rankedWhole: 0 };

/** Ranks differ by at least this much to prune (they are rounded to 1e-9, and sums may differ in their last bits). */
const PRUNE_MARGIN = 1e-6;

/** Which of the query's terms (by index in `q`) may be pruned, and the highest rank a block only they reach can have. */
type PrunePlan = { frequent: boolean[]; bound: number };

function maxScorePlan(r: Ranking): PrunePlan | null {
  return wordPlan(r) ?? matchPlan(r);
}

/**
 * The words whose postings the query may prune, and the highest rank a
 * block that only their postings reach can have: their best content and
 * property scores (BM25's tf part stays below k1 + 1) times their coverage
 * cubed. The words with the most postings are taken while their share of
 * the query's IDF stays within PRUNE_COVERAGE (so the bound stays low), and
 * only when they hold most of the postings: a query of one word, or of
 * words about as frequent, is ranked whole (null).
 */
function wordPlan(r: Ranking): PrunePlan | null {
  if (r.wordCount < 2 || r.totalIdf <= 0) return null;
  const volume = new Array<number>(r.wordCount).fill(0);
  const best = new Array<number>(r.wordCount).fill(0);
  for (const m of r.q) {
    const list = m.termHash === null ? undefined : r.postings.get(m.termHash.toString());
    volume[m.w] = (volume[m.w] as number) + (list?.slots.length ?? 0);
    best[m.w] = Math.max(best[m.w] as number, m.weight * m.idf);
  }
  const frequent = new Array<boolean>(r.wordCount).fill(false);
  let score = 0;
  let idf = 0;
  let pruned = 0;
  const byVolume = [...volume.keys()].sort((a, b) => (volume[b] as number) - (volume[a] as number));
  for (const w of byVolume.slice(0, -1)) {
    const next = idf + (r.wordIdf[w] as number);
    if ((volume[w] as number) < PRUNE_MIN_POSTINGS || next > PRUNE_COVERAGE * r.totalIdf) break;
    frequent[w] = true;
    idf = next;
    score += (best[w] as number) * (K1 + 1 + PROPERTY_TERM_WEIGHT);
    pruned += volume[w] as number;
  }
  const total = volume.reduce((a, b) => a + b, 0);
  if (pruned === 0 || pruned < 2 * (total - pruned)) return null;
  const coverage = idf / r.totalIdf;
  return { frequent: r.q.map((m) => frequent[m.w] === true), bound: score * coverage * coverage * coverage };
}

/**
 * The terms of a word matched by several (a typed prefix's completions, a
 * word and its corrections) whose best score, BM25's tf part at its limit
 * k1 + 1 plus a property match, stays below what the word's strongest term
 * scores once in a block of average length (its weight times its IDF):
 * typing "th", the (290,000 postings of 434,000 blocks) and that (63,000)
 * beside completions a hundred times rarer. A block only such terms reach
 * ranks at most the sum of their words' best such scores times those
 * words' coverage cubed. Taken only when they hold at least as many
 * postings as the query's other terms; otherwise null.
 */
function matchPlan(r: Ranking): PrunePlan | null {
  if (r.totalIdf <= 0) return null;
  const strongest = new Array<number>(r.wordCount).fill(0);
  const terms = new Array<number>(r.wordCount).fill(0);
  for (const m of r.q) {
    strongest[m.w] = Math.max(strongest[m.w] as number, m.weight * m.idf);
    terms[m.w] = (terms[m.w] as number) + 1;
  }
  const best = new Array<number>(r.wordCount).fill(0);
  let pruned = 0;
  let total = 0;
  const frequent = r.q.map((m) => {
    const volume = m.termHash === null ? 0 : (r.postings.get(m.termHash.toString())?.slots.length ?? 0);
    total += volume;
    const top = m.weight * m.idf * (K1 + 1 + PROPERTY_TERM_WEIGHT);
    if ((terms[m.w] as number) < 2 || volume < PRUNE_MIN_POSTINGS || top >= (strongest[m.w] as number)) return false;
    best[m.w] = Math.max(best[m.w] as number, top);
    pruned += volume;
    return true;
  });
  if (pruned === 0 || pruned < total - pruned) return null;
  let score = 0;
  let idf = 0;
  for (let w = 0; w < r.wordCount; w++) {
    if ((best[w] as number) === 0) continue;
    score += best[w] as number;
    idf += r.wordIdf[w] as number;
  }
  const coverage = Math.min(1, idf / r.totalIdf);
  return { frequent, bound: score * coverage * coverage * coverage };
}

/** The pruned words' share of the query's IDF at most: their blocks' rank bound is at most an eighth of their scores. */
const PRUNE_COVERAGE = 0.5;

/** Fewer postings than this are ranked whole: the second pass would cost more than it saves. */
const PRUNE_MIN_POSTINGS = 256;

/**
 * Marks the candidates of a pruned ranking (x.candidate = the returned
 * generation): every block the other terms' postings reach, and every block
 * a title match of any term reaches. `frequent`: by index in `q`.
 */
function markCandidates(r: Ranking, frequent: readonly boolean[]): number {
  const { x, model } = r;
  const generation = ++x.candidateGeneration;
  for (const [i, m] of r.q.entries()) {
    if (!frequent[i]) {
      const list = m.termHash === null ? undefined : r.postings.get(m.termHash.toString());
      if (list !== undefined) for (const slot of list.slots) x.candidate[slot] = generation;
    }
    for (const p of model.pagesByTitleWord.get(m.term) ?? []) {
      const page = model.pages[p] as ModelPage;
      if (page.firstBlock >= 0) x.candidate[page.firstBlock] = generation;
      for (const slot of page.blocks) x.candidate[slot] = generation;
    }
  }
  return generation;
}

/**
 * Adds each word's score to every block it reaches, word by word, and
 * returns how many blocks any word reached (listed in x.blocks). `only`:
 * the frequent terms' postings (by index in `q`) add to candidates only
 * (markCandidates).
 */
function scoreWords(r: Ranking, only: { frequent: readonly boolean[]; generation: number } | null): number {
  const { model, x, q, postings, norm, exactText } = r;
  const { blocks } = model;
  const { content, title, page: pageScore, property, mark } = x;
  const best = [content, title, pageScore, property] as const;
  let blockCount = 0;
  for (let w = 0; w < r.wordCount; w++) {
    let reached = 0;
    // Scores are positive, so 0 stands for "no match from this source", as coalesce(max(...), 0) does in SQL.
    const generation = ++x.generation;
    const add = (slot: number, source: typeof TITLE | typeof PAGE, score: number) => {
      if (mark[slot] !== generation) {
        mark[slot] = generation;
        x.wordBlocks[reached++] = slot;
        content[slot] = title[slot] = pageScore[slot] = property[slot] = 0;
      }
      const column = best[source];
      if ((column[slot] as number) < score) column[slot] = score;
    };
    for (const [i, m] of q.entries()) {
      if (m.w !== w) continue;
      const list = m.termHash === null ? undefined : postings.get(m.termHash.toString());
      if (list === undefined) continue;
      const onCandidates = only !== null && only.frequent[i] === true ? only.generation : 0;
      reached = addPostings(x, list, m.weight * m.idf, norm, blocks.preBlock, generation, reached, onCandidates);
    }
    for (const m of q) {
      if (m.w !== w) continue;
      for (const p of model.pagesByTitleWord.get(m.term) ?? []) {
        const page = model.pages[p] as ModelPage;
        const exact = page.exactNames.includes(exactText);
        if (page.firstBlock >= 0) add(page.firstBlock, TITLE, m.weight * m.idf * TITLE_TERM_WEIGHT + (exact ? EXACT_TITLE_WEIGHT : 0));
        for (const slot of page.blocks) if (slot !== page.firstBlock) add(slot, PAGE, m.weight * m.idf * PAGE_TERM_WEIGHT);
      }
    }
    const idf = r.wordIdf[w] as number;
    for (let i = 0; i < reached; i++) {
      const slot = x.wordBlocks[i] as number;
      if (x.matched[slot] === 0) x.blocks[blockCount++] = slot;
      x.score[slot] = (x.score[slot] as number) + ((content[slot] as number) + (title[slot] as number) + (pageScore[slot] as number) + (property[slot] as number));
      x.matched[slot] = (x.matched[slot] as number) + 1;
      x.idf[slot] = (x.idf[slot] as number) + idf;
    }
  }
  return blockCount;
}

/** The top `limit` of the `blockCount` blocks scoreWords reached; leaves the scratch clean. */
function topBlocks(r: Ranking, blockCount: number, limit: number): Scored[] {
  const { x, allowed } = r;
  const { blocks } = r.model;
  const top: Scored[] = [];
  for (let i = 0; i < blockCount; i++) {
    const slot = x.blocks[i] as number;
    const score = x.score[slot] as number;
    const matched = x.matched[slot] as number;
    const coverage = (x.idf[slot] as number) / r.totalIdf;
    x.score[slot] = 0;
    x.matched[slot] = 0;
    x.idf[slot] = 0;
    if (allowed !== null && (!allowed.has(slot) || (blocks.page[slot] as number) < 0)) continue;
    // DuckDB's round(x, 9): half away from zero, and a rank is positive.
    offer(top, limit, blocks, slot, Math.round(score * coverage * coverage * coverage * RANK_SCALE) / RANK_SCALE, score, matched);
  }
  return top;
}

/** Puts a block in `top` (at most `limit`, by rank, ties in file order, then by page) if it belongs there. */
function offer(top: Scored[], limit: number, blocks: SearchModel["blocks"], slot: number, rank: number, score: number, matched: number): void {
  // Below the last kept rank: out, without reading its seq and page (a cache miss each, per block reached).
  if (top.length === limit && rank < (top[limit - 1] as Scored).rank) return;
  const seq = blocks.seq[slot] as number;
  const page = blocks.page[slot] as number;
  if (top.length === limit) {
    const last = top[top.length - 1] as Scored;
    if (rank === last.rank && (seq > last.seq || (seq === last.seq && page > last.page))) return;
    top.pop();
  }
  let at = top.length;
  while (at > 0) {
    const before = top[at - 1] as Scored;
    if (before.rank > rank || (before.rank === rank && (before.seq < seq || (before.seq === seq && before.page < page)))) break;
    at--;
  }
  top.splice(at, 0, { slot, rank, seq, page, score, matched });
}

/**
 * A query of one word matched by one term that titles no page (a whole
 * word, "that "): each posting's score straight into the top `limit`, with
 * no per-slot scratch (about ten arrays read and written at random per
 * block: most of ranking the 41,000-62,000 blocks a frequent word reaches).
 * The same doubles as scoreWords and topBlocks: the word's sum over its
 * sources is content + property (title and page add exact zeros), added to
 * a score of 0, and its coverage is its IDF over itself. Null: rank the
 * general way.
 */
function rankOneTerm(r: Ranking, limit: number): Scored[] | null {
  const m = r.q[0] as Match;
  if ((r.model.pagesByTitleWord.get(m.term)?.length ?? 0) > 0) return null;
  const list = m.termHash === null ? undefined : r.postings.get(m.termHash.toString());
  if (list === undefined) return [];
  const { blocks } = r.model;
  const { slots, tf: tfs } = list;
  const norm = r.norm;
  const weighted = m.weight * m.idf;
  const propertyScore = weighted * PROPERTY_TERM_WEIGHT;
  const coverage = (0 + (r.wordIdf[0] as number)) / r.totalIdf;
  const top: Scored[] = [];
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as number;
    const tf = tfs[i] as number;
    const content = (weighted * tf * (K1 + 1)) / (tf + (norm[slot] as number));
    const property = blocks.preBlock[slot] === 1 && propertyScore > 0 ? propertyScore : 0;
    const score = 0 + ((content > 0 ? content : 0) + 0 + 0 + property);
    offer(top, limit, blocks, slot, Math.round(score * coverage * coverage * coverage * RANK_SCALE) / RANK_SCALE, score, 1);
  }
  return top;
}

/**
 * One term's postings into the current word's best content and property
 * scores: `add` of rankBlocks inlined, the loop every posting of a frequent
 * term goes through (41,655 for "that" on a 20k-file graph). Returns the
 * new count of slots the word reached. `only`: a pruned word's postings
 * reach only the candidates (x.candidate holds `only`); 0 for all.
 */
function addPostings(x: Scratch, list: Postings, weighted: number, norm: Float64Array, preBlock: Uint8Array, generation: number, reached: number, only: number): number {
  const { slots, tf: tfs } = list;
  const { content, title, page, property, mark, wordBlocks, candidate } = x;
  const propertyScore = weighted * PROPERTY_TERM_WEIGHT;
  const n = slots.length;
  for (let i = 0; i < n; i++) {
    const slot = slots[i] as number;
    if (only !== 0 && candidate[slot] !== only) continue;
    const tf = tfs[i] as number;
    // As the SQL path computes it, operation for operation, so the doubles are the same:
    // weight * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl)).
    const score = (weighted * tf * (K1 + 1)) / (tf + (norm[slot] as number));
    const pre = preBlock[slot] === 1;
    if (mark[slot] !== generation) {
      mark[slot] = generation;
      wordBlocks[reached++] = slot;
      // Scores are positive, so 0 stands for "no match from this source".
      content[slot] = score > 0 ? score : 0;
      title[slot] = 0;
      page[slot] = 0;
      property[slot] = pre && propertyScore > 0 ? propertyScore : 0;
    } else {
      if ((content[slot] as number) < score) content[slot] = score;
      if (pre && (property[slot] as number) < propertyScore) property[slot] = propertyScore;
    }
  }
  return reached;
}

/** Per-slot working arrays of one model's searches: score, idf and matched are 0 between searches. */
type Scratch = {
  /** A word's best score per source on each block, valid where `mark` holds the word's generation. */
  content: Float64Array;
  title: Float64Array;
  page: Float64Array;
  property: Float64Array;
  mark: Int32Array;
  generation: number;
  /** Blocks a pruned query ranks (rankBlocks), where this holds the query's candidateGeneration (from 1). */
  candidate: Int32Array;
  candidateGeneration: number;
  score: Float64Array;
  idf: Float64Array;
  matched: Int32Array;
  /** Slots the current word reached, and slots any word reached. */
  wordBlocks: Int32Array;
  blocks: Int32Array;
};

/** By the blocks' arrays, which refreshed models share (search-model-refresh.ts): sized to hold every slot they have room for. */
const scratch = new WeakMap<Float64Array, Scratch>();
export function scratchOf(model: SearchModel): Scratch {
  let x = scratch.get(model.blocks.key);
  if (x === undefined) {
    const n = model.blocks.key.length;
    x = {
      content: new Float64Array(n),
      title: new Float64Array(n),
      page: new Float64Array(n),
      property: new Float64Array(n),
      mark: new Int32Array(n),
      generation: 0,
      candidate: new Int32Array(n),
      candidateGeneration: 0,
      score: new Float64Array(n),
      idf: new Float64Array(n),
      matched: new Int32Array(n),
      wordBlocks: new Int32Array(n),
      blocks: new Int32Array(n),
    };
    scratch.set(model.blocks.key, x);
  }
  if (x.generation > 2 ** 30) {
    x.mark.fill(0);
    x.generation = 0;
  }
  if (x.candidateGeneration > 2 ** 30) {
    x.candidate.fill(0);
    x.candidateGeneration = 0;
  }
  return x;
}

/** Each block's `k1 * (1 - b + b * length / avgdl)`, BM25's length part, computed once per model. */
const norms = new WeakMap<SearchModel, Float64Array>();
function lengthNorms(model: SearchModel): Float64Array {
  let norm = norms.get(model);
  if (norm === undefined) {
    const { length, count } = model.blocks;
    const avgdl = model.avgLength;
    norm = new Float64Array(count);
    for (let slot = 0; slot < count; slot++) norm[slot] = K1 * (1 - B + (B * (length[slot] as number)) / avgdl);
    norms.set(model, norm);
  }
  return norm;
}
