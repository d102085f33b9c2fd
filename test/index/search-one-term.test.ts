import { test } from "node:test";
import assert from "node:assert/strict";
import { searchIndex, type SearchQuery } from "../../src/index/search.ts";
import { loadSearchModel } from "../../src/index/search-model.ts";
import { searchInMemory } from "../../src/index/search-memory.ts";
import { oneTermRankings } from "../../src/index/block-ranking.ts";
import { indexWrite, outlinePage, withIndexWriter } from "../support/index-writes.ts";

/**
 * A whole word matched by one term that titles no page is ranked straight
 * from its postings (block-ranking.ts rankOneTerm), without the per-slot
 * scratch: the hits, their order (ties of rank in file order, then by
 * path), scores and matched counts must be the SQL path's, including a
 * block that holds the word in the page's properties (scored as a property
 * too) and many blocks of equal rank. A word that titles a page takes the
 * general way.
 */
test("one term, no title: ranked straight from its postings, hit for hit the SQL path's answer; a word in a title goes the general way", async () => {
  await withIndexWriter("search-one-term-", async (writer) => {
    const page = outlinePage;
    await writer.apply({
      writes: [
        // 60 blocks of equal length holding "beta" once: equal ranks, ordered by file order and path.
        ...Array.from({ length: 3 }, (_, i) => indexWrite(`pages/beta${i}.md`, page(Array.from({ length: 20 }, (_, j) => `beta w${i}x${j} filler words here`)))),
        // The word in a page's properties block (a pre-block): content and property scores.
        indexWrite("pages/described.md", "description:: beta notes\n\n- other text\n"),
        // Shorter blocks rank first (after the properties block, scored for its content and as a property).
        indexWrite("pages/short.md", page(["beta", "beta beta", "beta once more"])),
        indexWrite("pages/Gamma.md", page(["gamma and beta", "gamma"])),
        ...Array.from({ length: 30 }, (_, i) => indexWrite(`pages/filler${i}.md`, page(Array.from({ length: 20 }, (_, j) => `f${i}q${j}`)))),
      ],
    });
    const model = await loadSearchModel(writer.readConnection);
    const both = async (text: string, limit: number) => {
      const query: SearchQuery = { text, limit };
      const sql = await searchIndex(writer.readConnection, query);
      assert.deepEqual(await searchInMemory(writer.readConnection, model, query), sql, text);
      return sql;
    };
    const before = oneTermRankings.count;
    const top = await both("beta ", 10);
    assert.equal(top.length, 10);
    assert.deepEqual(top.slice(0, 4).map((hit) => hit.content), ["description:: beta notes", "beta beta", "beta", "beta once more"]);
    const all = await both("beta ", 100);
    assert.equal(all.length, 65);
    assert.equal(oneTermRankings.count, before + 2, "both ranked straight from the postings");
    // "gamma" titles a page: its title and page scores count, the general way.
    await both("gamma ", 10);
    assert.equal(oneTermRankings.count, before + 2);
  });
});
