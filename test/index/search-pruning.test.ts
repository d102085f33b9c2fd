import { test } from "node:test";
import assert from "node:assert/strict";
import { searchIndex, type SearchQuery } from "../../src/index/search.ts";
import { loadSearchModel } from "../../src/index/search-model.ts";
import { searchInMemory } from "../../src/index/search-memory.ts";
import { pruning } from "../../src/index/block-ranking.ts";
import { indexWrite, outlinePage, withIndexWriter } from "../support/index-writes.ts";
import type { IndexWriter } from "../../src/index/index-writer.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";

/** Writes `writes` and loads the search model; the search it returns asserts the in-memory answer is the SQL path's, hit for hit, and gives the hits' content. */
async function searchBoth(writer: IndexWriter, writes: FileWrite[]): Promise<(text: string) => Promise<string[]>> {
  await writer.apply({ writes });
  const model = await loadSearchModel(writer.readConnection);
  return async (text) => {
    const query: SearchQuery = { text, limit: 10 };
    const sql = await searchIndex(writer.readConnection, query);
    assert.deepEqual(await searchInMemory(writer.readConnection, model, query), sql, text);
    return sql.map((hit) => hit.content);
  };
}

/**
 * The in-memory ranking prunes a frequent word's postings (MaxScore,
 * block-ranking.ts rankBlocks) only when its candidates' `limit`-th rank is
 * above what a block that word alone reaches could score. Two queries on
 * one graph: "alpha gamma", where the rare word's blocks outrank every block
 * "alpha" alone reaches (answered from the candidates), and "alpha beta",
 * where short blocks repeating "alpha" outrank long blocks holding "beta"
 * once (the candidates are not the answer: ranked whole). A page titled
 * "Alpha gamma" is a candidate through its title alone. Both must equal
 * the SQL path's answer, hit for hit.
 */
test("pruning a frequent word's postings gives the SQL path's answer: from the candidates when they must win, ranked whole when blocks of the frequent word alone win", async () => {
  await withIndexWriter("search-pruning-", async (writer) => {
    const page = outlinePage;
    const writes = [
      // 1,000 short blocks repeating "alpha": its postings outnumber beta's 2.5 to 1.
      ...Array.from({ length: 20 }, (_, i) => indexWrite(`pages/alpha${i}.md`, page(Array.from({ length: 50 }, (_, j) => `alpha alpha alpha alpha alpha alpha alpha alpha ${i}x${j}`)))),
      // 400 long blocks with "beta" once.
      ...Array.from({ length: 8 }, (_, i) => indexWrite(`pages/beta${i}.md`, page(Array.from({ length: 50 }, (_, j) => `beta ${Array.from({ length: 100 }, (_, k) => `w${i}y${j}z${k}`).join(" ")}`)))),
      // 20 short blocks "gamma".
      indexWrite("pages/gamma.md", page(Array.from({ length: 20 }, (_, j) => `gamma ${j}`))),
      // A page titled with both words whose blocks say "alpha": candidates through the title alone, their "alpha" postings added.
      indexWrite("pages/Alpha gamma.md", page(Array.from({ length: 3 }, (_, j) => `alpha notes ${j}`))),
      // Filler: IDF for all three.
      ...Array.from({ length: 90 }, (_, i) => indexWrite(`pages/filler${i}.md`, page(Array.from({ length: 200 }, (_, j) => `f${i}q${j}`)))),
    ];
    const both = await searchBoth(writer, writes);

    const before = { ...pruning };
    const gamma = await both("alpha gamma ");
    assert.equal(gamma.length, 10);
    assert.deepEqual(gamma.slice(0, 3), ["alpha notes 0", "alpha notes 1", "alpha notes 2"], "the page titled with both words first");
    assert.ok(gamma.slice(3).every((content) => content.startsWith("gamma")), `then the rare word's blocks: ${gamma.join(" | ")}`);
    assert.deepEqual({ ...pruning }, { pruned: before.pruned + 1, rankedWhole: before.rankedWhole }, "answered from the candidates");

    const beta = await both("alpha beta ");
    assert.equal(beta.length, 10);
    assert.ok(beta.every((content) => content.startsWith("alpha")), `blocks of "alpha" alone win: ${beta.map((c) => c.slice(0, 30)).join(" | ")}`);
    assert.deepEqual({ ...pruning }, { pruned: before.pruned + 1, rankedWhole: before.rankedWhole + 1 }, "ranked whole");
  });
});

/**
 * Within one word (block-ranking.ts matchPlan): the word being typed, "alp"
 * and "bet", is matched by the vocabulary's completions, one of them far more
 * frequent than the other. "alp": the rare completion's short blocks outrank
 * anything the frequent one alone reaches (answered from the candidates).
 * "bet": short blocks repeating the frequent completion outrank long blocks
 * holding the rare one once (ranked whole). Both equal the SQL path's
 * answer, hit for hit.
 */
test("pruning a word's far more frequent completions gives the SQL path's answer: from the candidates when the rarer completions must win, ranked whole when they need not", async () => {
  await withIndexWriter("search-pruning-terms-", async (writer) => {
    const page = outlinePage;
    const writes = [
      // 3,000 blocks of "alpha" and 3,000 repeating "beta": completions of "alp" and "bet" with a low IDF.
      ...Array.from({ length: 60 }, (_, i) => indexWrite(`pages/a${i}.md`, page(Array.from({ length: 50 }, (_, j) => `alpha ${i}x${j}`)))),
      ...Array.from({ length: 60 }, (_, i) => indexWrite(`pages/b${i}.md`, page(Array.from({ length: 50 }, (_, j) => `beta beta beta beta beta beta beta beta ${i}x${j}`)))),
      // Their rare completions: "alpine" in 20 short blocks, "betony" once in 20 long ones. No page is titled with
      // any of the four words (a title match makes its page's blocks candidates and outranks them all).
      indexWrite("pages/r1.md", page(Array.from({ length: 20 }, (_, j) => `alpine alpine ${j}`))),
      indexWrite("pages/r2.md", page(Array.from({ length: 20 }, (_, j) => `betony ${Array.from({ length: 100 }, (_, k) => `w${j}z${k}`).join(" ")}`))),
      // Filler: IDF for all four.
      ...Array.from({ length: 90 }, (_, i) => indexWrite(`pages/filler${i}.md`, page(Array.from({ length: 200 }, (_, j) => `f${i}q${j}`)))),
    ];
    const both = await searchBoth(writer, writes);

    const before = { ...pruning };
    const alp = await both("alp");
    assert.equal(alp.length, 10);
    assert.ok(alp.every((content) => content.startsWith("alpine")), `the rare completion's blocks: ${alp.join(" | ")}`);
    assert.deepEqual({ ...pruning }, { pruned: before.pruned + 1, rankedWhole: before.rankedWhole }, "answered from the candidates");

    const bet = await both("bet");
    assert.equal(bet.length, 10);
    assert.ok(bet.every((content) => content.startsWith("beta")), `blocks of the frequent completion win: ${bet.map((c) => c.slice(0, 30)).join(" | ")}`);
    assert.deepEqual({ ...pruning }, { pruned: before.pruned + 1, rankedWhole: before.rankedWhole + 1 }, "ranked whole");
  });
});

const PROPERTIES = "type:: gamma gamma gamma gamma gamma gamma gamma gamma";

/**
 * "gamma" in 3,000 short blocks and, 8 times, in the properties block of 10
 * pages (`type:: gamma ...`: short beside the filler's 11-word blocks, and
 * scoring the property weight on top of their content); "gambit" once in
 * `gambits` blocks of 19 words.
 */
function propertiesGraph(gambits: number): FileWrite[] {
  const page = outlinePage;
  return [
    ...Array.from({ length: 60 }, (_, i) => indexWrite(`pages/g${i}.md`, page(Array.from({ length: 50 }, (_, j) => `gamma ${i}x${j}`)))),
    ...Array.from({ length: 10 }, (_, i) => indexWrite(`pages/p${i}.md`, `${PROPERTIES}\n\n${page([`note ${i}`])}`)),
    ...Array.from({ length: Math.ceil(gambits / 50) }, (_, i) =>
      indexWrite(`pages/r${i}.md`, page(Array.from({ length: Math.min(50, gambits - 50 * i) }, (_, j) => `gambit ${Array.from({ length: 18 }, (_, k) => `w${i}y${j}z${k}`).join(" ")}`))),
    ),
    ...Array.from({ length: 90 }, (_, i) => indexWrite(`pages/filler${i}.md`, page(Array.from({ length: 200 }, (_, j) => `f${i}q${j}${" lorem".repeat(10)}`)))),
  ];
}

/**
 * The pruning bounds count a property match: a frequent term's postings
 * include properties blocks, which score the property weight on top of their
 * content. In both graphs the "gambit" blocks rank above what "gamma"'s
 * content alone can score and below its properties blocks, so a bound
 * without the property weight answers from the candidates, "gambit" alone
 * (checked for each). "gam" with 20 "gambit" blocks: a word's frequent
 * completion (matchPlan). "gamma gambit " with 1,500: a frequent word
 * (wordPlan).
 */
test("pruning counts the property weight: a frequent term's properties blocks still win, within a word and across words", async () => {
  await withIndexWriter("search-pruning-properties-", async (writer) => {
    const both = await searchBoth(writer, propertiesGraph(20));
    const before = { ...pruning };
    assert.deepEqual(await both("gam"), Array(10).fill(PROPERTIES));
    assert.deepEqual({ ...pruning }, { pruned: before.pruned, rankedWhole: before.rankedWhole + 1 }, "planned for pruning, ranked whole");
  });
  await withIndexWriter("search-pruning-properties-", async (writer) => {
    const both = await searchBoth(writer, propertiesGraph(1500));
    const before = { ...pruning };
    assert.deepEqual(await both("gamma gambit "), Array(10).fill(PROPERTIES));
    assert.deepEqual({ ...pruning }, { pruned: before.pruned, rankedWhole: before.rankedWhole + 1 }, "planned for pruning, ranked whole");
  });
});
