import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { searchIndex } from "../../src/index/search.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";

// A load of every posting takes seconds on a large graph; a write starting meanwhile must not wait for it.
test("a search model load gives way to a write: dropped at once, searches answer through SQL until the index settles again, then a load completes on the same connections", async () => {
  const dir = await mkdtemp(join(tmpdir(), "search-model-yield-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await writer.apply({ writes: Array.from({ length: 200 }, (_, i) => indexWrite(`pages/p${i}.md`, `- alpha page ${i}\n\t- beta child ${i}\n`)) });
    let now = 10_000;
    const cache = new SearchModelCache(writer.readConnection, { loadConnection: writer.loadConnection, settleMs: 1000, now: () => now });
    const query = { text: "alpha", limit: 5 };
    const expected = await searchIndex(writer.readConnection, query);
    assert.equal(expected.length, 5);

    const first = cache.ready();
    cache.yieldToWrite();
    await assert.rejects(first, /^Error: the search model load gave way to a write$/);
    assert.equal(cache.loads, 1);
    assert.deepEqual(await cache.search(query), expected, "settling: through SQL");
    assert.equal(cache.loads, 1, "no load until the index has settled again");

    now += 1000;
    const second = cache.ready();
    assert.equal(cache.loads, 2);
    assert.equal((await second).blocks.count, 400);
    assert.deepEqual(await cache.search(query), expected, "from the model");
    // A loaded model has nothing to give way: it stays (the commit that follows drops it).
    cache.yieldToWrite();
    await cache.ready();
    assert.equal(cache.loads, 2);
    await cache.settled();
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
