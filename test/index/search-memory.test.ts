import { test } from "node:test";
import fc from "fast-check";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, LIST, VARCHAR, listValue } from "../../src/index/duckdb.ts";
import { openDatabase } from "../../src/index/database.ts";
import { damerauLevenshtein } from "../../src/index/edit-distance.ts";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { searchIndex, type SearchQuery } from "../../src/index/search.ts";
import { loadSearchModel } from "../../src/index/search-model.ts";
import { byBytes, searchInMemory } from "../../src/index/search-memory.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { searchPages } from "../../src/index/page-search.ts";
import { searchPagesInMemory } from "../../src/index/page-search-memory.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { repoRoot, runJson, tempGraph } from "../support/cli.ts";
import { indexWrite } from "../support/index-writes.ts";
import { WANTED } from "../fixtures/search-graph-queries.ts";

/**
 * The in-memory search (search-memory.ts over search-model.ts) is a faster
 * way to the SQL path's answer, never another answer: for every query below,
 * the full hit list (pages, ids, content, scores, matched words and terms) is
 * the same, as it is typed, keystroke by keystroke.
 */
const EXTRA_QUERIES = [
  '"block reference"', '"reference block"', '"how do I" task', "the", "a", "how do I", "tsak", "keybrd", "remeber",
  "zzzz", "flash ", "block reference embed query table deadline", "Flashcards", "excalidraw", "cafe", "café", "日本",
  "1", "2024", "tags", "todo", "done later", "board", "cards", "culator", "ference", "shortcut board",
];

/** Every keystroke of a query: "bl", "blo", ..., "block reference". */
function keystrokes(text: string): string[] {
  return Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));
}

async function assertSameAnswers(database: string, texts: readonly string[]): Promise<number> {
  const db = await openDatabase(database, { create: false, readOnly: true });
  try {
    const model = await loadSearchModel(db.connection);
    let hits = 0;
    for (const text of texts) {
      // The SQL path's list is in a total order (rank, then file order): a limit only cuts it, so one query at
      // the larger limit answers both (each SQL query costs ~45 ms here, the in-memory one under 1).
      const sql = await searchIndex(db.connection, { text, limit: 1000 });
      const pages = await searchPages(db.connection, { text, limit: 1000 });
      for (const limit of [10, 1000]) {
        const query: SearchQuery = { text, limit };
        assert.deepEqual(await searchInMemory(db.connection, model, query), sql.slice(0, limit), `${JSON.stringify(text)} limit ${limit}`);
        hits += Math.min(limit, sql.length);
        assert.deepEqual(searchPagesInMemory(model, query), pages.slice(0, limit), `--pages ${JSON.stringify(text)} limit ${limit}`);
        hits += Math.min(limit, pages.length);
      }
    }
    return hits;
  } finally {
    db.close();
  }
}

test("in memory, every query (and search --pages) on the documentation fixture graph finds what the SQL path finds, keystroke by keystroke", async () => {
  const root = await mkdtemp(join(tmpdir(), "search-memory-"));
  try {
    const config = join(root, "config.json");
    const database = join(root, "index.duckdb");
    await writeFile(config, JSON.stringify({ graph: join(repoRoot, "test", "fixtures", "search-graph"), database, logLevel: "silent" }));
    await runJson(["run", "--once", "--config", config]);
    const texts = [...new Set([...WANTED.flatMap(([query]) => keystrokes(query)), ...EXTRA_QUERIES])];
    assert.ok((await assertSameAnswers(database, texts)) > 1000, "the queries find blocks");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("in memory, accents, aliases, exact titles, properties and pages without blocks rank as through SQL", async () => {
  const g = await tempGraph({
    "pages/Café Crème.md": "alias:: Kaffee, Flat white\ntype:: drink\n\n- a café crème at the café\n- crème brûlée\n",
    "pages/Kaffee Notes.md": "- kaffee and cafe and coffee\n- coffee coffee coffee coffee\n",
    "pages/Empty page.md": "",
    "pages/日本語.md": "- 日本語の文章 and kanji\n",
    "pages/Tie.md": "- same words here\n- same words here\n- here same words\n",
    "journals/2024_01_02.md": "- TODO coffee with [[Café Crème]] #drink\n- DONE same old words\n",
  });
  try {
    await runJson(["run", "--once", "--config", g.config]);
    const texts = ["cafe creme", "café crème", "Kaffee", "kaffe", "flat white", "coffee", "cof", "coffe ", "drink", "empty page", "empty",
      "日本", "本", "same words", "same words here", '"same words"', '"words same"', "todo coffee", "crème brûlée", "creme brulee", "brul"];
    assert.ok((await assertSameAnswers(g.database, [...new Set([...texts, ...texts.flatMap(keystrokes)])])) > 100);
  } finally {
    await g.cleanup();
  }
});

test("the in-memory edit distance is DuckDB's damerau_levenshtein, bytes and transpositions included", async () => {
  const words = ["", "a", "ab", "ba", "abc", "acb", "ca", "abcdef", "badcfe", "calculator", "calculater", "clculatr", "keyboard", "keybord",
    "café", "cafe", "caféé", "écaf", "日本", "本日", "flashcards", "flashc", "aabb", "bbaa", "abab", "baba", "kitten", "sitting"];
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const pairs = words.flatMap((a) => words.map((b) => [a, b] as const));
    const reader = await connection.runAndReadAll(
      `SELECT damerau_levenshtein(a, b)::INTEGER FROM (SELECT unnest($a::VARCHAR[]) AS a, unnest($b::VARCHAR[]) AS b)`,
      { a: listValue(pairs.map(([a]) => a)), b: listValue(pairs.map(([, b]) => b)) },
      { a: LIST(VARCHAR), b: LIST(VARCHAR) },
    );
    assert.deepEqual(pairs.map(([a, b]) => damerauLevenshtein(a, b)), reader.getRows().map((row) => row[0]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test("the search model cache: SQL until a model is loaded, a new model after each commit, SQL when a commit raced the model", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-cache-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await writer.apply({ writes: [indexWrite("pages/Apple.md", "- apple pie\n- apple tart\n"), indexWrite("pages/Pear.md", "- pear tart\n")] });
    let now = 0;
    const cache = new SearchModelCache(writer.readConnection, { settleMs: 1000, now: () => now });
    const sql = (text: string) => searchIndex(writer.readConnection, { text, limit: 10 });
    const pages = async (text: string) => (await cache.search({ text, limit: 10 })).map((h) => [h.page, h.content]);

    // The first search answers through SQL while the model loads.
    assert.deepEqual(await pages("tart "), [["Apple", "apple tart"], ["Pear", "pear tart"]]);
    assert.equal(cache.loads, 1);
    await cache.ready();
    assert.deepEqual(await cache.search({ text: "tart ", limit: 10 }), await sql("tart "));
    assert.equal(cache.loads, 1, "the loaded model answers");

    // A commit the cache was told of: the next search loads the model again and sees the new words.
    await writer.apply({ writes: [indexWrite("pages/Plum.md", "- plum tart with plum jam\n")] });
    cache.invalidate();
    // Commits keep coming (a catch-up): no load until the index has been quiet for settleMs.
    now = 999;
    assert.deepEqual(await pages("plum "), [["Plum", "plum tart with plum jam"]]);
    assert.equal(cache.loads, 1, "no load while the index is changing");
    now = 1000;
    await cache.search({ text: "plum ", limit: 10 });
    await cache.ready();
    assert.equal(cache.loads, 2);
    assert.deepEqual(await pages("plum "), [["Plum", "plum tart with plum jam"]]);

    // A commit the model missed: postings of blocks it lacks. The answer comes from SQL, and the next search reloads.
    await writer.apply({ writes: [{ op: "delete", path: "pages/Pear.md" }, indexWrite("pages/Quince.md", "- quince tart\n")] });
    assert.deepEqual(await pages("tart "), [["Apple", "apple tart"], ["Quince", "quince tart"], ["Plum", "plum tart with plum jam"]]);
    assert.deepEqual(await cache.search({ text: "tart ", limit: 10 }), await sql("tart "));
    await cache.ready();
    assert.equal(cache.loads, 3);
    assert.deepEqual(await cache.search({ text: "quince tart", limit: 10 }), await sql("quince tart"));
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("equal rank and equal seq in two files: the hits go by path, in SQL and in memory (a block a diff appended can share its seq with another file's)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-ties-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    // Pear's block gets key 0 (seq 0), Apple's key 1 (seq 4096); the block appended to Pear is placed 4096 after
    // Pear's first: seq 4096 too, and a later key, so Pear's is met second although Apple's path comes first.
    await writer.apply({ writes: [indexWrite("pages/Pear.md", "- pear\n"), indexWrite("pages/Apple.md", "- damson\n")] });
    await writer.apply({ writes: [indexWrite("pages/Pear.md", "- pear\n- damson\n")] });
    const seqs = (await writer.readConnection.runAndReadAll(`SELECT path, seq FROM blocks WHERE content = 'damson' ORDER BY path`)).getRows();
    assert.equal(seqs.length, 2);
    assert.equal(seqs[0]?.[1], seqs[1]?.[1], `the two blocks share a seq: ${JSON.stringify(seqs.map(String))}`);
    const model = await loadSearchModel(writer.readConnection);
    for (const limit of [1, 10]) {
      const sql = await searchIndex(writer.readConnection, { text: "damson", limit });
      assert.deepEqual(sql.map((h) => h.path), ["pages/Apple.md", "pages/Pear.md"].slice(0, limit));
      assert.deepEqual(await searchInMemory(writer.readConnection, model, { text: "damson", limit }), sql);
    }
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("byBytes orders strings as their UTF-8 bytes (DuckDB's VARCHAR order), astral characters above U+E000-U+FFFF", () => {
  const sign = (n: number) => Math.sign(n);
  // Characters from every range whose UTF-16 order differs from code point order: below U+D800, U+E000-U+FFFF, astral.
  const text = fc.string({ unit: fc.constantFrom("a", "z", "\u00e9", "\ud7ff", "\ue000", "\uffee", "\u{1f600}", "\u{10000}"), maxLength: 6 });
  fc.assert(fc.property(text, text, (a, b) => sign(byBytes(a, b)) === sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))), { numRuns: 2000 });
  assert.ok(byBytes("\u{1f600}", "\uffee") > 0, "an astral character sorts above U+FFEE");
});
