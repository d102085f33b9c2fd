import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { searchIndex } from "../../src/index/search.ts";
import { searchInMemory } from "../../src/index/search-memory.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import type { SearchModel } from "../../src/index/search-model.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";

/**
 * A model load takes seconds on a large graph: a write starting meanwhile
 * pauses it, and the load then follows the commits made after its snapshot
 * (a user editing every few hundred ms still gets a model), or ends when a
 * commit is one a model cannot follow. Writes go through one task chain
 * here, as in index-writer.worker.ts, and the load's snapshot starts in it.
 */
async function withWriter(run: (writer: IndexWriter, write: (paths: [string, string][]) => Promise<void>, cache: SearchModelCache, clock: { now: number }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "search-model-load-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await writer.apply({ writes: Array.from({ length: 200 }, (_, i) => indexWrite(`pages/p${i}.md`, `- alpha page ${i}\n\t- beta child ${i}\n`)) });
    let chain: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
      const run = chain.then(task, task);
      chain = run.catch(() => {});
      return run;
    };
    const clock = { now: 10_000 };
    const cache = new SearchModelCache(writer.readConnection, { loadConnection: writer.loadConnection, settleMs: 1000, now: () => clock.now, pin: exclusive });
    const write = (files: [string, string][]) =>
      exclusive(async () => {
        cache.yieldToWrite();
        await writer.apply({ writes: files.map(([path, text]) => indexWrite(path, text)) }, { modelDelta: cache.wantsDelta }).finally(() => cache.committed(writer.takeModelDelta()));
      });
    await run(writer, write, cache, clock);
    await cache.settled();
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function untilPinned(cache: SearchModelCache): Promise<void> {
  while (!cache.wantsDelta) await sleep(1);
}

/**
 * Starts a load and holds it before its first statement after the snapshot,
 * as a write under way does (`yieldToWrite`, set before the load's first
 * step): however fast the machine, the load cannot end before the test's
 * write has committed. Resolves once its snapshot is taken.
 */
async function heldLoad(cache: SearchModelCache): Promise<{ loading: Promise<SearchModel> }> {
  const loading = cache.ready();
  cache.yieldToWrite();
  await untilPinned(cache);
  // In an object: an async function returning the promise itself would wait for it.
  return { loading };
}

/** A write as the writer thread runs it inside its task chain, with a load held by `heldLoad`: then its commit handed over. */
async function writeHeld(writer: IndexWriter, cache: SearchModelCache, files: [string, string][]): Promise<void> {
  await writer.apply({ writes: files.map(([path, text]) => indexWrite(path, text)) }, { modelDelta: cache.wantsDelta });
  cache.committed(writer.takeModelDelta());
}

test("a write pauses a model load, and the load follows the edit committed after its snapshot", async () => {
  await withWriter(async (writer, _write, cache) => {
    // The write under way: the load waits before its next statement until the commit.
    const { loading } = await heldLoad(cache);
    assert.equal(cache.loads, 1);
    let done = false;
    void loading.then(() => (done = true), () => {});
    await sleep(300);
    assert.equal(done, false, "paused while a write is under way");
    await writeHeld(writer, cache, [["pages/p7.md", "- alpha page 7\n\t- beta child 7\n- gamma added after the snapshot\n"]]);
    const model = await loading;
    assert.equal(cache.refreshes, 1);
    assert.equal(cache.loads, 1, "no second load");
    const query = { text: "gamma", limit: 5 };
    const sql = await searchIndex(writer.readConnection, query);
    assert.equal(sql.length, 1);
    assert.deepEqual(await searchInMemory(writer.readConnection, model, query), sql, "the loaded model holds the later edit");
    assert.deepEqual(await cache.search(query), sql);
  });
});

test("edits committed while a load runs are applied to the model once it is loaded", async () => {
  await withWriter(async (writer, write, cache) => {
    const { loading } = await heldLoad(cache);
    // The first edit's delta waits for the load; the second, through the task chain, meets the load or its model.
    await writeHeld(writer, cache, [["pages/p3.md", "- alpha page 3\n\t- beta child 3\n- delta one\n"]]);
    await write([["pages/p4.md", "- alpha page 4\n- delta two\n"]]);
    const model = await loading;
    assert.equal(cache.loads, 1);
    assert.equal(cache.refreshes, 2, "both commits were applied to the loaded model");
    for (const text of ["delta", "beta", "alpha 4"]) {
      const query = { text, limit: 10 };
      assert.deepEqual(await searchInMemory(writer.readConnection, model, query), await searchIndex(writer.readConnection, query), text);
    }
  });
});

test("a commit a model cannot follow ends the load: searches answer through SQL until the index settles, then a load completes", async () => {
  await withWriter(async (writer, write, cache, clock) => {
    const { loading } = await heldLoad(cache);
    // A deleted page changes page rows: no delta.
    await writer.apply({ writes: [{ op: "delete", path: "pages/p5.md" }] }, { modelDelta: cache.wantsDelta });
    cache.committed(writer.takeModelDelta());
    await assert.rejects(loading, /^Error: the search model load was overtaken by a write$/);
    const query = { text: "beta", limit: 5 };
    const expected = await searchIndex(writer.readConnection, query);
    assert.equal(expected.length, 5);
    assert.deepEqual(await cache.search(query), expected, "settling: through SQL");
    assert.equal(cache.loads, 1, "no load until the index has settled again");
    clock.now += 1000;
    const model = await cache.ready();
    assert.equal(cache.loads, 2);
    assert.equal(model.blocks.count, 398);
    assert.deepEqual(await cache.search(query), expected, "from the model");
    // An edit after it is refreshed into it, and a search right after the commit ranks in memory.
    await write([["pages/p6.md", "- alpha page 6\n\t- beta child 6\n- omega again\n"]]);
    assert.equal(cache.refreshes, 1);
    assert.equal((await cache.ready()).blocks.count, 399);
    assert.deepEqual(await cache.search({ text: "omega", limit: 5 }), await searchIndex(writer.readConnection, { text: "omega", limit: 5 }));
    assert.equal(cache.loads, 2);
  });
});
