import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSearchModel } from "../../src/index/search-model.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { HitRowCache } from "../../src/index/hit-rows.ts";
import { warmUpQueries } from "../../src/index/search-warm-up.ts";
import { indexWrite, outlinePage, withIndexWriter } from "../support/index-writes.ts";

/**
 * The service's warm-up (search-model-cache.ts `warm`) types the graph's two
 * most frequent words of three or more ASCII letters as search-warm-up.ts
 * says, through the in-memory ranking, and keeps none of their hits: the
 * first user's first keystrokes find the code compiled, and the hit-row
 * cache holds only what users searched. Shorter, non-ASCII and numeric
 * terms are passed over; a graph with none to type is not warmed up.
 */
test("warm() types the two most frequent words through the in-memory ranking and keeps no hit rows", async () => {
  await withIndexWriter("search-warm-up-", async (writer) => {
    await writer.apply({
      writes: [
        // "ox" (2 letters), "日本" and "12345" in more blocks than any word: passed over. "the" 6 blocks, "and" 4, "fox" 3.
        indexWrite("pages/a.md", outlinePage(["the fox and ox 日本 12345", "the dog and ox 日本 12345", "the fox ox 日本 12345", "ox 日本 12345"])),
        indexWrite("pages/b.md", outlinePage(["the and ox 日本 12345", "the fox and ox 日本 12345", "the ox 日本 12345", "ox 日本 12345"])),
      ],
    });
    assert.deepEqual(warmUpQueries(await loadSearchModel(writer.readConnection)), ["th", "the", "the ", "the and", "the and "]);
    const rows = new HitRowCache(1 << 20);
    const cache = new SearchModelCache(writer.readConnection, { rowCache: rows });
    await cache.warm();
    assert.equal(cache.warmUps, 5);
    assert.deepEqual(rows.stats(), { entries: 0, sizeBytes: 0, maxBytes: 1 << 20, hits: 0, misses: 0 });
    assert.equal((await cache.search({ text: "dog", limit: 5 })).length, 1);
    assert.equal(rows.stats().entries, 1, "a user's search keeps its hits");
  });
  await withIndexWriter("search-warm-up-none-", async (writer) => {
    await writer.apply({ writes: [indexWrite("pages/c.md", outlinePage(["ox 日本 12345 ab"]))] });
    assert.deepEqual(warmUpQueries(await loadSearchModel(writer.readConnection)), []);
    const cache = new SearchModelCache(writer.readConnection);
    await cache.warm();
    assert.equal(cache.warmUps, 0);
  });
});
