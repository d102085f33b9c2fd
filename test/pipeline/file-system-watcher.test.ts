import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSystemWatcher, backendQuietMs, type WatchEvent } from "../../src/pipeline/file-system-watcher.ts";
import type { GraphConfig } from "../../src/logseq/types.ts";

const graph: GraphConfig = {
  hidden: [], fileNameFormat: "triple-lowbar", journalPageTitleFormat: "MMM do, yyyy", separatedByCommas: [],
  journalsDirectory: "journals", pagesDirectory: "pages", warnings: [],
};

test("backendQuietMs: a batch within 400 ms of the previous one was held for 50 ms of quiet; a first batch, or one after a longer gap, was not", () => {
  assert.equal(backendQuietMs(1000, -Infinity), 0);
  assert.equal(backendQuietMs(1000, 601), 50);
  assert.equal(backendQuietMs(1000, 600), 0);
  assert.equal(backendQuietMs(1000, 100), 0);
});

test("the real watcher: a change made as the previous batch arrives is handed over no sooner than 50 ms after it, marked quiet for 50 ms; the first batch is not", async () => {
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-watch-"));
  const batches: { paths: string[]; quietMs: number; at: number }[] = [];
  let wroteSecondAt = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const watcher = await FileSystemWatcher.start({
    root,
    graph,
    onEvents: (events: WatchEvent[], quietMs: number) => {
      const paths = events.map((e) => e.path);
      batches.push({ paths, quietMs, at: performance.now() });
      if (batches.length === 1) {
        // At once, inside the first hand-over: the backend's last hand-over is now, so it holds this one.
        wroteSecondAt = performance.now();
        writeFileSync(join(root, "b.md"), "- b\n");
      }
      if (paths.includes("b.md")) resolveDone();
    },
    onError: (error) => assert.fail(error),
  });
  try {
    writeFileSync(join(root, "a.md"), "- a\n");
    const timeout = setTimeout(() => resolveDone(), 10_000);
    await done;
    clearTimeout(timeout);
    // The first batch: a.md alone, handed over at once. a.md's later events (the write after the create) may
    // come in a batch of their own or with b.md's; every batch after the first follows it closely: held.
    assert.deepEqual(batches[0]?.paths, ["a.md"]);
    assert.equal(batches[0]?.quietMs, 0);
    const second = batches.find((b) => b.paths.includes("b.md"));
    assert.ok(second !== undefined, `no batch with b.md: ${JSON.stringify(batches)}`);
    assert.deepEqual(batches.slice(1).map((b) => b.quietMs), batches.slice(1).map(() => 50));
    // The premise of the 50 ms: @parcel/watcher held b.md's batch at least that long after its change.
    assert.ok(second.at - wroteSecondAt >= 50, `held ${second.at - wroteSecondAt} ms`);
  } finally {
    await watcher.close({ quietMs: 0, maxWaitMs: 0 });
    await rm(root, { recursive: true, force: true });
  }
});
