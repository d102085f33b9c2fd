import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { CacheStats } from "../../src/index/bounded-cache.ts";
import type { WriteStats } from "../../src/index/write-stats.ts";
import { queryRows } from "../support/db.ts";
import { makeSandbox, pollUntil, search, ServiceProcess, status, writePage } from "./service-harness.ts";

/** Room for two file rows of this test's shape (pages/pN.md, a 64-character checksum; index-view.ts rowBytes). */
const MAX_BYTES = 600;

type IdHit = { path: string; content: string; blockId: string };

/**
 * Issue #11: the service's file rows sit in an LRU bounded by
 * `cache.fileMetadataMaxBytes`. With room for two of six files, every
 * comparison the cache lost reads the row from the index: live edits, a
 * move whose delete is seen first (held, then paired as a rename: block ids
 * kept), a delete and a restart's catch-up give the same index as with
 * every row cached. A 1 s debounce makes the held delete (its pairing window
 * is the debounce + 100 ms) long enough to see in `status`.
 */
test("service with a file-metadata cache of room for two rows: edits, a move, a delete and a restart sync as with every row cached", async (t) => {
  const sandbox = await makeSandbox({ cache: { fileMetadataMaxBytes: MAX_BYTES }, debounce: { markdownMs: 1000 } });
  t.after(() => sandbox.cleanup());
  for (let i = 0; i < 6; i++) await writePage(sandbox, `pages/p${i}.md`, `- page ${i} cacheprobe\n`);
  let service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const cache = async () => ((await status(sandbox))["writes"] as WriteStats).fileMetadataCache as CacheStats;
  const started = await cache();
  assert.deepEqual([started.entries, started.maxBytes, started.sizeBytes <= MAX_BYTES], [2, MAX_BYTES, true]);
  const hits = async () => Object.fromEntries(((await search(sandbox, "cacheprobe")) as unknown as IdHit[]).map((h) => [h.content, h]));
  const before = await hits();

  // Two edits: the cache then holds their rows, and p1's is read back from the index when p1 goes.
  await writePage(sandbox, "pages/p0.md", "- page 0 edited cacheprobe\n");
  await writePage(sandbox, "pages/p3.md", "- page 3 edited cacheprobe\n");
  await pollUntil(async () => "page 0 edited cacheprobe" in (await hits()) && "page 3 edited cacheprobe" in (await hits()), "the edits");
  // A move seen as a delete, then a create: the delete is held for a create of the same content, which pairs with it.
  await rm(join(sandbox.graph, "pages/p1.md"));
  await pollUntil(async () => (await status(sandbox)).service?.["heldDeletes"] === 1, "the delete held for a move", 5000);
  await writePage(sandbox, "pages/moved.md", "- page 1 cacheprobe\n");
  await pollUntil(async () => (await hits())["page 1 cacheprobe"]?.path === "pages/moved.md", "the move");
  assert.equal((await hits())["page 1 cacheprobe"]?.blockId, before["page 1 cacheprobe"]?.blockId, "a move keeps the block id");
  await rm(join(sandbox.graph, "pages/p2.md"));
  await pollUntil(async () => !("page 2 cacheprobe" in (await hits())), "the delete");
  const live = await cache();
  assert.ok(live.misses > 0, "rows were read back from the index");
  assert.ok(live.entries <= 2 && live.sizeBytes <= MAX_BYTES, JSON.stringify(live));
  assert.equal(await service.stop("SIGINT"), 0, service.stderr);

  // Offline: one page edited, one deleted. The restart's scan reads every row from the index (the cache cannot hold them).
  await writePage(sandbox, "pages/p4.md", "- page 4 edited offline cacheprobe\n");
  await rm(join(sandbox.graph, "pages/p5.md"));
  service = new ServiceProcess(sandbox.configPath);
  await service.ready();
  assert.deepEqual(Object.keys(await hits()).sort(), [
    "page 0 edited cacheprobe", "page 1 cacheprobe", "page 3 edited cacheprobe", "page 4 edited offline cacheprobe",
  ]);
  const restarted = await cache();
  assert.ok(restarted.entries <= 2 && restarted.sizeBytes <= MAX_BYTES, JSON.stringify(restarted));
  assert.equal(await service.stop("SIGINT"), 0, service.stderr);
  assert.deepEqual(await queryRows(sandbox.database, "SELECT path, status FROM files ORDER BY path"), [
    { path: "pages/moved.md", status: "indexed" },
    { path: "pages/p0.md", status: "indexed" },
    { path: "pages/p3.md", status: "indexed" },
    { path: "pages/p4.md", status: "indexed" },
  ]);
});
