import assert from "node:assert/strict";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { makeSandbox, pollUntil, ServiceProcess, status, writePage } from "../service/service-harness.ts";
import { assertSameIndexRows } from "./converged.ts";
import { cleanSync, sleep } from "./trial-support.ts";

/**
 * Found by the model-based test: an atomic save (temp file renamed over the
 * page) followed at once by deleting the page. @parcel/watcher reports the
 * replacing rename as a "create" and drops a path created and deleted within
 * one batch (src/Event.hh, EventList::getEvents; parcel-bundler/watcher#71),
 * and the temp file the same way: the service is sent no event at all, so
 * nothing in its event path can notice. The periodic size+mtime scan of the
 * hybrid strategy (the default) is what repairs it; this test holds that
 * promise, with the shortest scan interval the config allows.
 */
test("a page replaced by a rename and deleted within one watcher batch: the hybrid strategy's periodic scan removes it", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn", strategy: "hybrid", verify: { scanIntervalMs: 1000 } });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/alpha.md", "- first page [[beta]]\n");
  await writePage(sandbox, "pages/kept.md", "- kept page\n");
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();

  const page = join(sandbox.graph, "pages/alpha.md");
  await writeFile(`${page}.tmp-save`, "- saved amber\n");
  await rename(`${page}.tmp-save`, page);
  await rm(page);
  // Two periodic scans later (1 s apart) the page is gone from the index.
  await sleep(2500);
  await pollUntil(async () => (await status(sandbox)).files === 1, "the deleted page removed", 30_000);
  assert.equal(await service.stop("SIGINT"), 0, service.stderr);
  const clean = join(sandbox.dir, "clean.duckdb");
  await cleanSync(sandbox.graph, clean, join(sandbox.dir, "clean.json"));
  await assertSameIndexRows(sandbox.database, clean, "the service's index");
});
