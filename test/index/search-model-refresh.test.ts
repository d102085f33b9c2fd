import { test } from "node:test";
import { setImmediate } from "node:timers/promises";
import assert from "node:assert/strict";
import process from "node:process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { searchIndex, type SearchQuery } from "../../src/index/search.ts";
import { loadSearchModel, type SearchModel } from "../../src/index/search-model.ts";
import { searchInMemory } from "../../src/index/search-memory.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { SLICED_REFRESH_MIN_BLOCKS, refreshSearchModel, refreshSearchModelInSlices } from "../../src/index/search-model-refresh.ts";
import { TimeSlices } from "../../src/index/time-slices.ts";
import type { ModelDelta } from "../../src/index/model-delta.ts";
import { searchPages } from "../../src/index/page-search.ts";
import { searchPagesInMemory } from "../../src/index/page-search-memory.ts";
import { indexWrite } from "../support/index-writes.ts";

/**
 * A search model refreshed after a commit (search-model-refresh.ts) answers
 * every query as a model loaded afresh from the committed index does, and
 * (at each test's end) as the SQL path does: the same hits, scores, matched
 * words and terms, and the same `search --pages` answers. Random edit sequences go through the real
 * writer (block diffs, whole rewrites, new and deleted pages); after each commit the
 * model is refreshed where the writer handed a delta over, else loaded
 * again. REFRESH_RUNS=100 for a longer search.
 */
const RUNS = Number(process.env["REFRESH_RUNS"] ?? 6);

const PAGES = ["pages/alpha.md", "pages/beta notes.md", "journals/2024_01_02.md"];
/** Words that come and go: ranking's df and avgdl move with them, prefixes and typos meet them. */
const WORDS = ["apple", "apricot", "banana", "bandana", "cherry", "chery", "delta", "zephyr", "zeppelin", "the", "a", "quokka"];
const QUERIES = ["apple", "apri", "ban", "bandanna", "cherry", "chery", "the apple", "zep", "zephir", "quokka", "delta banana", '"apple banana"', "alpha", "beta", "notes", "the a", "zzz"];

type Ops =
  | { kind: "append"; page: number; words: string[] }
  | { kind: "replace"; page: number; at: number; words: string[] }
  | { kind: "drop"; page: number; at: number }
  | { kind: "insert"; page: number; at: number; words: string[] }
  | { kind: "rewrite"; page: number; lines: string[][] }
  | { kind: "new page"; name: number; words: string[] }
  | { kind: "delete"; page: number };

const words = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 });
const page = fc.nat(PAGES.length - 1);
const op: fc.Arbitrary<Ops> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("append" as const), page, words }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("replace" as const), page, at: fc.nat(), words }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("drop" as const), page, at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("insert" as const), page, at: fc.nat(), words }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("rewrite" as const), page, lines: fc.array(words, { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("new page" as const), name: fc.nat(3), words }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), page }) },
);

function render(lines: string[][]): string {
  return lines.map((line) => `- ${line.join(" ")}\n`).join("");
}

function deltaOf(writer: IndexWriter): ModelDelta {
  const { refreshable, delta } = writer.takeModelDelta();
  assert.ok(refreshable && delta !== null, "the commit's delta");
  return delta;
}

/**
 * The model answers every query (hits, and `search --pages`) as a model
 * loaded afresh from the committed index does. `sql`: and as the SQL path
 * does, the reference (search-memory.test.ts holds a loaded model to it on
 * a whole graph). Each SQL query costs about 45 ms here against under 1 ms
 * in memory: the steps between compare with a fresh model, each test's
 * last step (and each random sequence's) with SQL too.
 */
async function sameAnswers(writer: IndexWriter, model: SearchModel, label: string, options: { sql?: boolean } = {}): Promise<void> {
  const c = writer.readConnection;
  const fresh = await loadSearchModel(c);
  for (const text of QUERIES) {
    // Every hit, in order: a limit only cuts the same list.
    const query: SearchQuery = { text, limit: 100 };
    const expected = await searchInMemory(c, fresh, query);
    assert.deepEqual(await searchInMemory(c, model, query), expected, `${label}: ${JSON.stringify(text)}`);
    const pages = searchPagesInMemory(fresh, query);
    assert.deepEqual(searchPagesInMemory(model, query), pages, `${label}: --pages ${JSON.stringify(text)}`);
    if (options.sql === true) {
      assert.deepEqual(expected, await searchIndex(c, query), `${label}: SQL, ${JSON.stringify(text)}`);
      assert.deepEqual(pages, await searchPages(c, query), `${label}: SQL, --pages ${JSON.stringify(text)}`);
    }
  }
  assert.equal(model.documents, fresh.documents, `${label}: documents`);
  assert.equal(model.avgLength, fresh.avgLength, `${label}: avgLength`);
}

test("a search model refreshed after each commit answers as the SQL path and a freshly loaded model, over random edit sequences", async () => {
  let refreshed = 0;
  let dropped = 0;
  await fc.assert(
    // Each sequence starts with an append and a new page (refreshed) and ends with a deleted page (no delta: dropped, loaded again).
    fc.asyncProperty(fc.array(op, { maxLength: 10 }), async (random) => {
      const ops: Ops[] = [{ kind: "append", page: 0, words: ["quokka"] }, { kind: "new page", name: 9, words: ["zephyr"] }, ...random, { kind: "delete", page: 1 }];
      const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
      const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
      try {
        const pages = new Map<string, string[][]>(PAGES.map((path, i) => [path, [["apple", "banana", String(i)], ["the", "cherry"], ["delta"]]]));
        await writer.apply({ writes: [...pages].map(([path, lines]) => indexWrite(path, render(lines))) });
        const cache = new SearchModelCache(writer.readConnection, { settleMs: 0 });
        await cache.ready();
        for (const [n, o] of ops.entries()) {
          const path = o.kind === "new page" ? `pages/new ${o.name}.md` : (PAGES[o.page] as string);
          const lines = [...(pages.get(path) ?? [])];
          const at = "at" in o ? o.at % Math.max(1, lines.length) : 0;
          if (o.kind === "delete") pages.delete(path);
          else if (o.kind === "append" || o.kind === "new page") lines.push(o.words);
          else if (o.kind === "replace" && lines.length > 0) lines[at] = o.words;
          else if (o.kind === "drop" && lines.length > 1) lines.splice(at, 1);
          else if (o.kind === "insert") lines.splice(at, 0, o.words);
          else if (o.kind === "rewrite") lines.splice(0, lines.length, ...o.lines);
          if (o.kind !== "delete") pages.set(path, lines);
          const before = cache.refreshes;
          const write = o.kind === "delete" ? { op: "delete" as const, path } : indexWrite(path, render(lines));
          await writer.apply({ writes: [write] }, { modelDelta: cache.wantsDelta });
          cache.committed(writer.takeModelDelta());
          if (cache.refreshes > before) refreshed++;
          else dropped++;
          await sameAnswers(writer, await cache.ready(), `step ${n} (${o.kind})`, { sql: n === ops.length - 1 });
        }
      } finally {
        writer.close();
        await rm(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: RUNS },
  );
  assert.ok(refreshed >= 2 * RUNS, `refreshed ${refreshed} times`);
  assert.ok(dropped >= RUNS, `dropped ${dropped} times`);
});

test("a refresh appends past the model's arrays into larger copies, and a delta the model cannot follow drops it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
  try {
    let lines = Array.from({ length: 400 }, (_, i) => `- apple banana ${i}\n`);
    await writer.apply({ writes: [indexWrite("pages/a.md", lines.join("")), indexWrite("pages/b.md", "- cherry\n")] });
    let model = await loadSearchModel(writer.readConnection);
    const loadedArrays = model.blocks.key;
    assert.equal(loadedArrays.length, model.blocks.count, "a loaded model's arrays are full");
    lines = [...lines, ...Array.from({ length: 100 }, (_, i) => `- apple appended ${i}\n`)];
    await writer.apply({ writes: [indexWrite("pages/a.md", lines.join(""))] }, { modelDelta: true });
    const grown = refreshSearchModel(model, deltaOf(writer));
    assert.ok(grown !== null, "an append is refreshed");
    assert.notEqual(grown.blocks.key, loadedArrays, "in larger copies");
    assert.equal(grown.blocks.count, 501);
    await sameAnswers(writer, grown, "grown");
    model = grown;
    lines = [...lines, "- apple once more\n"];
    await writer.apply({ writes: [indexWrite("pages/a.md", lines.join(""))] }, { modelDelta: true });
    const appended = refreshSearchModel(model, deltaOf(writer));
    assert.ok(appended !== null);
    assert.equal(appended.blocks.key, grown.blocks.key, "the next one appends into the same arrays");
    await sameAnswers(writer, appended, "appended");
    await sameAnswers(writer, grown, "appended, searched with the model before it").then(
      () => assert.fail("the model before the commit should differ"),
      (error: unknown) => assert.ok(error instanceof Error),
    );

    // An edited block: its old row gone (a dead slot), a new one appended; the touched terms keep whole lists in memory.
    lines[0] = "- apple cherry 0\n";
    await writer.apply({ writes: [indexWrite("pages/a.md", lines.join(""))] }, { modelDelta: true });
    const edited = refreshSearchModel(appended, deltaOf(writer));
    assert.ok(edited !== null);
    await sameAnswers(writer, edited, "edited", { sql: true });
    for (const term of ["apple", "banana", "cherry"]) {
      const entry = edited.vocabulary.get(term);
      assert.equal(entry?.list?.slots.length, entry?.df, `${term}: its postings in memory, as many as its df`);
    }

    // A deleted page: no delta is handed over.
    await writer.apply({ writes: [{ op: "delete", path: "pages/b.md" }] }, { modelDelta: true });
    assert.deepEqual(writer.takeModelDelta(), { refreshable: false, delta: null });
    // Without modelDelta, nothing is read, but the commit is known to be one a model could follow.
    await writer.apply({ writes: [indexWrite("pages/a.md", lines.join("") + "- more\n")] });
    assert.deepEqual(writer.takeModelDelta(), { refreshable: true, delta: null });
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** Deterministic words for generated pages: a small LCG over WORDS. */
function wordsFrom(seed: number, n: number): string[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return WORDS[x % WORDS.length] as string;
  });
}

/**
 * Batch `b` of a catch-up: new pages whose paths fall between the pages
 * already there (they take their places in path order, which orders equal
 * ranks), one with an alias, one without blocks.
 */
function newPages(b: number, n: number): Extract<ReturnType<typeof indexWrite>, { op: "index" }>[] {
  return Array.from({ length: n }, (_, i) => {
    const path = `pages/${String.fromCharCode(97 + ((i * 7 + b * 3) % 26))}${b}-${i}.md`;
    if (i === 0) return indexWrite(path, "");
    const alias = i === 1 ? `alias:: ${wordsFrom(b * 31 + i, 2).join(" ")}\n` : "";
    // The same first block on every page: equal rank and seq, ranked by path.
    return indexWrite(path, alias + render([["quokka", "delta"], wordsFrom(b * 1000 + i, 3), wordsFrom(b * 1000 + i + 500, 2)]));
  });
}

test("a search model follows a catch-up of new pages commit by commit: one load, every commit refreshed, answers as SQL and a fresh model", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
  try {
    const cache = new SearchModelCache(writer.readConnection, { settleMs: 1000 });
    assert.equal((await cache.ready()).pages.length, 0, "loaded from the empty index");
    for (let b = 0; b < 8; b++) {
      await writer.apply({ writes: newPages(b, 12) }, { modelDelta: cache.wantsDelta });
      cache.committed(writer.takeModelDelta());
      assert.equal(cache.refreshes, b + 1, `batch ${b}: refreshed`);
      const model = await cache.ready();
      assert.equal(model.pages.length, 12 * (b + 1));
      await sameAnswers(writer, model, `batch ${b}`);
      // Pages as a load numbers them (path order), each title word's pages in that order.
      const fresh = await loadSearchModel(writer.readConnection);
      const titled = (m: SearchModel, map: Map<string, number[]>) => [...map].map(([word, pages]) => [word, pages.map((p) => m.pages[p]?.path)]).sort();
      assert.deepEqual(model.pages.map((p) => p.path), fresh.pages.map((p) => p.path), `batch ${b}: pages in path order`);
      assert.deepEqual(titled(model, model.pagesByTitleWord), titled(fresh, fresh.pagesByTitleWord), `batch ${b}: title words`);
      assert.deepEqual(titled(model, model.allPagesByTitleWord), titled(fresh, fresh.allPagesByTitleWord), `batch ${b}: title words`);
      assert.deepEqual(model.titleWords, fresh.titleWords, `batch ${b}: title words sorted`);
    }
    assert.equal(cache.loads, 1, "never loaded again");
    // The service warms the model at a catch-up's end: one that followed it is compacted, not loaded again.
    assert.ok((await cache.ready()).addedTerms.length > 0, "terms added since the load");
    await cache.warm();
    const flat = await cache.ready();
    assert.deepEqual(flat.addedTerms, [], "compacted: every term in the sorted vocabulary again");
    assert.equal(cache.loads, 1);
    await sameAnswers(writer, flat, "compacted by warm()");
    // A search and `search --pages` right after a commit see it.
    await writer.apply({ writes: [indexWrite("pages/zz new.md", "- quokka zebra\n")] }, { modelDelta: cache.wantsDelta });
    cache.committed(writer.takeModelDelta());
    const query = { text: "zebra", limit: 5 };
    const fromModel = cache.search(query);
    const sql = await searchIndex(writer.readConnection, query);
    assert.equal(sql.length, 1);
    assert.deepEqual(await fromModel, sql);
    assert.equal(cache.refreshes, 9);
    await writer.apply({ writes: [indexWrite("pages/zz newer.md", "- quokka\n")] }, { modelDelta: cache.wantsDelta });
    cache.committed(writer.takeModelDelta());
    const pagesQuery = { text: "newer", limit: 5 };
    const fromCache = cache.searchPages(pagesQuery);
    const expected = await searchPages(writer.readConnection, pagesQuery);
    assert.equal(expected.length, 1);
    assert.deepEqual(await fromCache, expected);
    assert.equal(cache.refreshes, 10);

    // A bulk load's commits of new pages are followed too (a search during a first full index ranks in memory),
    // postings unsorted until its end.
    await writer.startBulkLoad({ threads: 1 });
    for (const b of [9, 10]) {
      await writer.apply({ writes: newPages(b, 3) }, { modelDelta: cache.wantsDelta });
      cache.committed(writer.takeModelDelta());
      await sameAnswers(writer, await cache.ready(), `bulk batch ${b}`);
    }
    assert.equal(cache.refreshes, 12);
    assert.equal(cache.loads, 1, "never loaded again");
    await writer.clusterPostings();
    await cache.warm();
    await sameAnswers(writer, await cache.ready(), "after the bulk load's end, compacted", { sql: true });
    assert.deepEqual((await cache.ready()).addedTerms, [], "compacted again");
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * A catch-up's large commits (new pages, nothing deleted) are refreshed in
 * slices (search-model-cache.ts `#refreshInSlices`): committed() returns
 * before the refresh; searches meanwhile answer from the model before the
 * commit (`search --pages` reads it at the call, so its answer is that
 * model's, deterministically); commits that come meanwhile are applied
 * after it in order; `ready()` waits for them all; a drop meanwhile (a
 * repair's invalidate(), a commit no model follows) ends it at once, and
 * the next search loads the model again.
 */
test("a catch-up's large commits refresh the model in slices: searches meanwhile answer from the model before, later commits follow in order, a drop ends it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
  try {
    const cache = new SearchModelCache(writer.readConnection, { settleMs: 1000 });
    await writer.apply({ writes: newPages(0, 12) });
    const before = await cache.ready();
    await writer.startBulkLoad({ threads: 1 });
    const large = async (b: number) => {
      await writer.apply({ writes: newPages(b, 700) }, { modelDelta: cache.wantsDelta });
      const change = writer.takeModelDelta();
      assert.ok((change.delta?.blocks.length ?? 0) >= SLICED_REFRESH_MIN_BLOCKS, `batch ${b}: ${change.delta?.blocks.length} blocks`);
      return change;
    };
    const c = writer.readConnection;
    const pagesQuery = { text: "a1", limit: 20 };

    cache.committed(await large(1));
    assert.equal(cache.refreshes, 0, "committed() returned before the refresh");
    const during = cache.searchPages(pagesQuery);
    assert.deepEqual(await during, searchPagesInMemory(before, pagesQuery), "answered from the model before the commit");
    assert.notDeepEqual(await during, await searchPages(c, pagesQuery), "which lacks the commit's pages");
    await sameAnswers(writer, await cache.ready(), "after one large commit");
    assert.equal(cache.refreshes, 1);
    assert.deepEqual(await cache.searchPages(pagesQuery), await searchPages(c, pagesQuery));

    // Two commits handed over back to back: the second waits for the first's refresh, then follows it.
    const [second, third] = [await large(2), await large(3)];
    cache.committed(second);
    cache.committed(third);
    assert.equal(cache.refreshes, 1);
    await sameAnswers(writer, await cache.ready(), "after two large commits", { sql: true });
    assert.equal(cache.refreshes, 3);
    assert.equal(cache.loads, 1, "never loaded again");

    // Dropped meanwhile: the refresh stops, the next search loads the model again from the committed index.
    cache.committed(await large(4));
    cache.invalidate();
    await cache.settled();
    assert.equal(cache.refreshes, 3, "the dropped refresh installed nothing");
    await sameAnswers(writer, await cache.ready(), "loaded again after the drop");
    assert.equal(cache.loads, 2);

    // A commit no model follows, handed over meanwhile: dropped at once, not after the refresh under way.
    cache.committed(await large(5));
    cache.committed({ refreshable: false, delta: null });
    assert.equal(cache.wantsDelta, false, "dropped at once");
    await sameAnswers(writer, await cache.ready(), "loaded again after a commit it could not follow");
    assert.equal(cache.loads, 3);
    assert.equal(cache.refreshes, 3);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a commit during warm()'s compaction keeps the model it refreshed: the flat copy, which lacks it, is dropped", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
  try {
    const cache = new SearchModelCache(writer.readConnection, { settleMs: 1000 });
    await cache.ready();
    for (let b = 0; b < 3; b++) {
      await writer.apply({ writes: newPages(b, 12) }, { modelDelta: cache.wantsDelta });
      cache.committed(writer.takeModelDelta());
    }
    await writer.apply({ writes: [indexWrite("pages/zz during.md", "- quokka walrus\n")] }, { modelDelta: cache.wantsDelta });
    const delta = writer.takeModelDelta();
    // Slices of 0 ms: the compaction pauses at its first step, and the commit is taken in meanwhile
    // (the test's immediate was queued first, so it runs first).
    const warming = cache.warm(0);
    await setImmediate();
    cache.committed(delta);
    await warming;
    const model = await cache.ready();
    assert.ok(model.pages.some((page) => page.path === "pages/zz during.md"), "the commit's page is in the model");
    assert.ok(model.addedTerms.length > 0, "not compacted: the model the commit refreshed");
    assert.equal(cache.loads, 1);
    await sameAnswers(writer, model, "after a commit during the compaction");
    // With no commit in between, the same call compacts.
    await cache.warm(0);
    assert.deepEqual((await cache.ready()).addedTerms, []);
    await sameAnswers(writer, await cache.ready(), "compacted", { sql: true });
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a model past its refresh limits is compacted: the same answers from flat arrays, gone blocks dropped", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
  const limits = { maxAppended: 40, maxTouchedTerms: 1000 };
  try {
    await writer.apply({ writes: newPages(0, 6) });
    let model: SearchModel = await loadSearchModel(writer.readConnection);
    let compactions = 0;
    for (let b = 1; b < 10; b++) {
      // New pages, then an edit of an earlier one (a block diff: a gone block, a dead slot until compacted).
      const edited = newPages(b - 1, 6)[2] as ReturnType<typeof indexWrite>;
      const edit = indexWrite(edited.file.path, render([wordsFrom(b, 2), wordsFrom(b + 77, 3)]));
      for (const writes of [newPages(b, 6), [edit]]) {
        await writer.apply({ writes }, { modelDelta: true });
        const next = refreshSearchModel(model, deltaOf(writer), limits);
        assert.ok(next !== null, `batch ${b}: followed`);
        model = next;
        if (!("lineage" in model)) {
          compactions++;
          assert.deepEqual(model.addedTerms, [], "every term in the sorted vocabulary again");
          assert.equal(model.blocks.count, model.documents, "no dead slots");
        }
        await sameAnswers(writer, model, `batch ${b}, ${writes.length === 1 ? "edit" : "new pages"}`, { sql: b === 9 && writes.length === 1 });
      }
    }
    assert.ok(compactions >= 2, `compacted ${compactions} times`);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a refresh in slices pauses in its loops over the new blocks (every 1,024) and gives a fresh model's and SQL's answers", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-refresh-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), (await import("../../src/logseq/graph-config.ts")).defaultGraphConfig);
  try {
    await writer.apply({ writes: newPages(0, 6) });
    const model = await loadSearchModel(writer.readConnection);
    const lines = Array.from({ length: 5000 }, (_, i) => wordsFrom(i + 7, 3));
    await writer.apply({ writes: [indexWrite("pages/long.md", render(lines))] }, { modelDelta: true });
    const delta = deltaOf(writer);
    assert.equal(delta.blocks.length, 5000);
    // A 0 ms slice pauses at every step the refresh yields; limits it cannot reach leave out the compaction's pauses.
    const slices = new TimeSlices(0);
    const refreshed = await refreshSearchModelInSlices(model, delta, slices, { maxAppended: 1e9, maxTouchedTerms: 1e9 });
    assert.ok(refreshed !== null, "followed");
    assert.ok("lineage" in refreshed, "refreshed, not compacted");
    // Its two loops over the new blocks (the checks, the slots) each yield once per 1,024 blocks.
    assert.ok(slices.paused >= 2 * Math.floor(5000 / 1024), `paused ${slices.paused} times`);
    await sameAnswers(writer, refreshed, "refreshed in slices", { sql: true });
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
