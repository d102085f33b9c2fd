import { test } from "node:test";
import assert from "node:assert/strict";
import { searchIndex, type SearchQuery } from "../../src/index/search.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { HitRowCache } from "../../src/index/hit-rows.ts";
import { indexWrite, outlinePage, withIndexWriter } from "../support/index-writes.ts";

/**
 * The rows of recent hits (hit-rows.ts): a repeated search reads none of
 * its hits' rows, answers as the SQL path does, and an edited block (a new
 * key) is read afresh, never served from the cache under its old content.
 */
test("search hit rows are served from the cache once returned, equal to the SQL path's, and an edited block's new row is read", async () => {
  await withIndexWriter("hit-rows-", async (writer) => {
    const page = outlinePage;
    await writer.apply({
      writes: [
        indexWrite("pages/a.md", page(["kiwi one", "kiwi two", "other"])),
        indexWrite("pages/b.md", page(["kiwi three", "more"])),
        indexWrite("pages/c.md", page(["nothing here"])),
      ],
    });
    const rows = new HitRowCache(1024 * 1024);
    const cache = new SearchModelCache(writer.readConnection, { settleMs: 0, rowCache: rows });
    await cache.ready();
    const query: SearchQuery = { text: "kiwi", limit: 10 };
    const first = await cache.search(query);
    assert.deepEqual(first.map((hit) => hit.content).sort(), ["kiwi one", "kiwi three", "kiwi two"]);
    assert.deepEqual(first, await searchIndex(writer.readConnection, query));
    assert.deepEqual([rows.stats().hits, rows.stats().misses, rows.stats().entries], [0, 3, 3]);
    assert.deepEqual(await cache.search(query), first);
    assert.deepEqual([rows.stats().hits, rows.stats().misses], [3, 3], "the second search read no row");

    // "kiwi two" edited: a new block under a new key (its id kept by the diff); the model follows the commit.
    await writer.apply({ writes: [indexWrite("pages/a.md", page(["kiwi one", "kiwi two edited", "other"]))] }, { modelDelta: cache.wantsDelta });
    cache.committed(writer.takeModelDelta());
    const edited = await cache.search(query);
    assert.deepEqual(edited, await searchIndex(writer.readConnection, query));
    assert.deepEqual(edited.map((hit) => hit.content).sort(), ["kiwi one", "kiwi three", "kiwi two edited"]);
    assert.deepEqual([rows.stats().hits, rows.stats().misses], [5, 4], "two rows from the cache, the edited one read");
    assert.equal(cache.refreshes, 1, "answered by the refreshed model, not through SQL");
  });
});

test("the hit-row cache keeps within its bound; 0 bytes keeps nothing", () => {
  const rows = new HitRowCache(1000);
  for (let key = 0; key < 100; key++) rows.set(key, [`id-${key}`, "x".repeat(100), null]);
  const stats = rows.stats();
  assert.ok(stats.sizeBytes <= 1000, `${stats.sizeBytes} bytes`);
  assert.equal(stats.entries, 3, "(120 + 2 × 105) bytes a row");
  assert.deepEqual(rows.get(99), ["id-99", "x".repeat(100), null]);
  assert.equal(rows.get(0), undefined, "the oldest evicted");
  const off = new HitRowCache(0);
  off.set(1, ["id", "text", null]);
  assert.equal(off.get(1), undefined);
});
