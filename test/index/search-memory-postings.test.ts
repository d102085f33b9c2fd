import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { loadPostingLists, postingsOf } from "../../src/index/posting-lists.ts";
import { searchIndex } from "../../src/index/search.ts";
import { loadSearchModel } from "../../src/index/search-model.ts";
import { searchInMemory } from "../../src/index/search-memory.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";

/**
 * The search model's posting lists (posting-lists.ts) are fts_postings, row
 * for row, read in ranges of terms; a term they do not hold whole is read
 * from the index, with the same answers.
 */
const FILES: Record<string, string> = {
  "pages/Apple.md": "type:: fruit\n\n- apple pie and apple tart\n- apple apple apple crumble\n- the tart of the day\n",
  "pages/Pear.md": "- pear tart\n- a pear, a plum and an apple\n",
  "pages/Plum.md": "alias:: Damson\n\n- plum jam\n- plum tart with plum jam and the crumble\n",
  "journals/2024_01_02.md": "- TODO bake the apple tart\n- DONE buy pears and plums\n",
};
const QUERIES = ["apple", "tart ", "the tart", "plum jam", "crumb", "aple ", '"apple tart"', "fruit", "damson", "pear plum apple the"];

async function withWriter(run: (writer: IndexWriter) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "search-memory-postings-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await writer.apply({ writes: Object.entries(FILES).map(([path, text]) => indexWrite(path, text)) });
    await run(writer);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test("the search model holds every posting of fts_postings, whatever the size of the ranges it reads them in", async () => {
  await withWriter(async (writer) => {
    const connection = writer.readConnection;
    const model = await loadSearchModel(connection);
    const rows = (await connection.runAndReadAll(`SELECT t.term, p.block_key::DOUBLE, p.tf FROM fts_postings p JOIN fts_terms t USING (term_hash)`)).getRows();
    const expected = rows.map(([term, key, tf]) => `${term} ${key} ${tf}`).sort();
    assert.ok(expected.length > 40);
    const hashes = [...model.vocabulary.values()].sort((a, b) => a.index - b.index).map((entry) => entry.hash);
    const dfs = [...model.vocabulary.values()].sort((a, b) => a.index - b.index).map((entry) => entry.df);
    for (const lists of [model.postings, await loadPostingLists(connection, hashes, dfs, model.blocks.slotOf, 7)]) {
      const held: string[] = [];
      for (const [term, { index }] of model.vocabulary) {
        const list = postingsOf(lists, index);
        assert.ok(list !== undefined, `${term} is held whole`);
        list.slots.forEach((slot, i) => held.push(`${term} ${model.blocks.key[slot]} ${list.tf[i]}`));
      }
      assert.deepEqual(held.sort(), expected);
    }
  });
});

test("a term the posting lists do not hold whole is read from the index: the same answers", async () => {
  await withWriter(async (writer) => {
    const connection = writer.readConnection;
    const model = await loadSearchModel(connection);
    const answers = async (m = model) => {
      const hits = [];
      for (const text of QUERIES) hits.push(await searchInMemory(connection, m, { text, limit: 10 }));
      return hits;
    };
    const sql = [];
    for (const text of QUERIES) sql.push(await searchIndex(connection, { text, limit: 10 }));
    assert.deepEqual(await answers(), sql);
    // Every other term, then every term, as a list that overflowed its df or held a tf beyond 16 bits would be.
    model.postings.complete.forEach((_, i) => (model.postings.complete[i] = i % 2));
    assert.deepEqual(await answers(), sql);
    model.postings.complete.fill(0);
    assert.deepEqual(await answers(), sql);

    // A df that disagrees with the postings (one more, one fewer): that term is not held, and answers are still the SQL path's.
    await connection.run(`UPDATE fts_terms SET df = df + 1 WHERE term = 'apple'`);
    await connection.run(`UPDATE fts_terms SET df = df - 1 WHERE term = 'tart'`);
    const skewed = await loadSearchModel(connection);
    const notHeld = [...skewed.vocabulary].filter(([, { index }]) => postingsOf(skewed.postings, index) === undefined).map(([term]) => term);
    assert.deepEqual(notHeld.sort(), ["apple", "tart"]);
    const skewedSql = [];
    for (const text of QUERIES) skewedSql.push(await searchIndex(connection, { text, limit: 10 }));
    assert.deepEqual(await answers(skewed), skewedSql);
  });
});

test("a commit while an in-memory search runs: the search answers from the committed state", async () => {
  await withWriter(async (writer) => {
    const cache = new SearchModelCache(writer.readConnection, { settleMs: 0 });
    await cache.ready();
    // Blocks the model lacks, committed while the search below runs (the writer then invalidates the cache).
    await writer.apply({ writes: [indexWrite("pages/Quince.md", "- quince tart\n- quince tart and quince jam\n")] });
    const searching = cache.search({ text: "tart ", limit: 10 });
    cache.invalidate();
    const hits = await searching;
    assert.ok(hits.some((hit) => hit.page === "Quince"));
    assert.deepEqual(hits, await searchIndex(writer.readConnection, { text: "tart ", limit: 10 }));
  });
});
