import { test } from "node:test";
import assert from "node:assert/strict";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { SyncEventKind } from "../../src/pipeline/sync-event.ts";
import { SyncOrchestrator } from "../../src/pipeline/sync-orchestrator.ts";
import { SyncPriority } from "../../src/pipeline/sync-priority-calculator.ts";
import { tempGraph } from "../support/cli.ts";
import { holdReads } from "../support/held-reads.ts";
import { queryRows } from "../support/db.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * concurrentModification means a change written while a sync of the path
 * was reading it, not any event that settles meanwhile: the watcher hands
 * over a save's later events 50 ms late, the debounce waits, a large write
 * settles in parts. Those late events of a write the read already saw
 * opened a conflict (under manual: the path held, the edit never indexed
 * until `resolve`; under index: the edit kept out).
 */
test("orchestrator under manual: only a change written after the sync in flight began to read is a concurrentModification; the late events of a write that read saw are not", async () => {
  const g = await tempGraph({ "pages/a.md": "- original\n", "pages/b.md": "- second page\n" }, { conflicts: { concurrentModification: { strategy: "manual" } } });
  try {
    const config = await loadConfig(g.config);
    const pools = await createPools(config, await readGraphConfig(config.graph));
    let conflicts;
    try {
      const orchestrator = await SyncOrchestrator.start({ config, graph: await readGraphConfig(config.graph), pools }, { consumers: 4, maxQueued: 100, pairWindowMs: 0, maxPairWaitMs: 0 });
      await orchestrator.scan("", SyncPriority.catchUp);
      await orchestrator.whenIdle();
      const reads = holdReads(pools);

      // bravo is written, then its first event starts a sync that reads it; its late event settles during that sync.
      await g.write("pages/a.md", "- bravo\n");
      const bravoWritten = Date.now();
      await pause(30);
      reads.arm();
      orchestrator.submit("pages/a.md", SyncEventKind.update, Date.now());
      await reads.held(1);
      orchestrator.submit("pages/a.md", SyncEventKind.update, bravoWritten);
      reads.release();
      await orchestrator.whenIdle();
      assert.deepEqual(await orchestrator.conflicts.list({ all: true }), [], "bravo's late event overtakes nothing");

      // charlie is read; delta is written while that sync is in flight: a genuine concurrent change.
      await g.write("pages/a.md", "- charlie\n");
      await pause(30);
      reads.arm();
      orchestrator.submit("pages/a.md", SyncEventKind.update, Date.now());
      await reads.held(1);
      await g.write("pages/a.md", "- delta\n");
      orchestrator.submit("pages/a.md", SyncEventKind.update, Date.now());
      // A page deleted while its sync is in flight: the read no longer is the file either.
      await g.write("pages/b.md", "- second page, edited\n");
      await pause(30);
      orchestrator.submit("pages/b.md", SyncEventKind.update, Date.now());
      await reads.held(2);
      await g.remove("pages/b.md");
      orchestrator.submit("pages/b.md", SyncEventKind.delete, Date.now());
      reads.release();
      await orchestrator.whenIdle();
      conflicts = (await orchestrator.conflicts.list({ all: true })).map((c) => [c.type, c.paths, c.status]);
      await orchestrator.close();
    } finally {
      await pools.close();
    }
    assert.deepEqual(conflicts, [
      ["concurrentModification", ["pages/a.md"], "open"],
      ["concurrentModification", ["pages/b.md"], "open"],
    ]);
    // Held at once: neither charlie's read nor delta is written; bravo, applied before, stays.
    assert.deepEqual(await queryRows(g.database, "SELECT path, content FROM blocks ORDER BY path"), [
      { path: "pages/a.md", content: "bravo" },
      { path: "pages/b.md", content: "second page" },
    ]);
  } finally {
    await g.cleanup();
  }
});
