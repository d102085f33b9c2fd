import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { ManualClock } from "../../src/pipeline/clock.ts";
import { SyncOrchestrator } from "../../src/pipeline/sync-orchestrator.ts";
import { SyncPriority } from "../../src/pipeline/sync-priority-calculator.ts";
import { tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";

/**
 * A folder marked dirty (events lost there) while another folder's rescan
 * runs: that rescan takes only the folders dirty when it started. If it
 * queues nothing, no queue drain follows to start the next rescan, so the
 * rescan itself must start it as it ends; and the orchestrator is not idle
 * while a folder waits for its rescan (whenIdle would return with the
 * folder's changes unsynced, and the service exit with them lost).
 */
test("orchestrator: a folder marked dirty during another folder's rescan is rescanned when that rescan ends, and the orchestrator is not idle before", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n", "journals/2026_11_29.md": "- first entry\n" });
  try {
    const config = await loadConfig(g.config);
    const graph = await readGraphConfig(config.graph);
    const pools = await createPools(config, graph);
    const clock = new ManualClock(Date.now());
    // Moves the fake time along while real work (threads, DuckDB) runs, until the orchestrator is idle.
    const settle = async (orchestrator: SyncOrchestrator) => {
      for (let i = 0; i < 3000 && !orchestrator.idle; i++) {
        clock.advance(10);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await orchestrator.whenIdle();
    };
    try {
      const orchestrator = await SyncOrchestrator.start({ config, graph, pools }, { clock, consumers: 2, maxQueued: 100, pairWindowMs: 50, maxPairWaitMs: 500 });
      const scanned = orchestrator.scan("", SyncPriority.catchUp);
      await settle(orchestrator);
      await scanned;
      // Changed with no event: only a rescan of its folder finds it.
      await writeFile(join(g.graph, "journals/2026_11_29.md"), "- second entry\n");
      orchestrator.markDirty("pages");
      // The rescan of pages starts (and awaits its folder listing)...
      clock.advance(0);
      // ...when journals is marked dirty: pages has nothing to queue, so no drain will come.
      orchestrator.markDirty("journals");
      assert.equal(orchestrator.idle, false);
      await settle(orchestrator);
      assert.equal(orchestrator.idle, true);
      await orchestrator.close();
    } finally {
      await pools.close();
    }
    assert.deepEqual(await queryRows(g.database, "SELECT content FROM blocks WHERE path = 'journals/2026_11_29.md'"), [{ content: "second entry" }]);
  } finally {
    await g.cleanup();
  }
});
