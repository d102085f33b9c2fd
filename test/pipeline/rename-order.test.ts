import assert from "node:assert/strict";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { SyncEventKind } from "../../src/pipeline/sync-event.ts";
import { SyncOrchestrator } from "../../src/pipeline/sync-orchestrator.ts";
import { SyncPriority } from "../../src/pipeline/sync-priority-calculator.ts";
import { tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";

/**
 * Issue #14, the rename race: the watcher's create of the new path may
 * settle, and be synced, before the delete of the old path arrives. Pairing
 * must not depend on that order: an indexed file with the same content that
 * is gone from disk is the file moved.
 */
for (const order of ["create first, delete long after", "delete first", "create and delete together"] as const) {
  test(`orchestrator: a rename is a move whatever order its events come in (${order})`, async () => {
    const g = await tempGraph({ "pages/old name.md": "- moving block\n\t- its child\n" });
    try {
      const config = await loadConfig(g.config);
      const graph = await readGraphConfig(config.graph);
      const pools = await createPools(config, graph);
      let summary;
      try {
        const orchestrator = await SyncOrchestrator.start({ config, graph, pools }, { consumers: 4, maxQueued: 100, pairWindowMs: 50, maxPairWaitMs: 500 });
        await orchestrator.scan("", SyncPriority.catchUp);
        await orchestrator.whenIdle();
        await rename(join(g.graph, "pages/old name.md"), join(g.graph, "pages/new name.md"));
        const at = Date.now();
        if (order === "delete first") orchestrator.submit("pages/old name.md", SyncEventKind.delete, at);
        orchestrator.submit("pages/new name.md", SyncEventKind.create, at);
        if (order === "create first, delete long after") await orchestrator.whenIdle();
        if (order !== "delete first") orchestrator.submit("pages/old name.md", SyncEventKind.delete, at);
        await orchestrator.whenIdle();
        await orchestrator.close();
        summary = orchestrator.summary;
      } finally {
        await pools.close();
      }
      assert.deepEqual({ indexed: summary.indexed, renamed: summary.renamed, deleted: summary.deleted }, { indexed: 1, renamed: 1, deleted: 0 });
      assert.deepEqual(await queryRows(g.database, "SELECT path, id_seed FROM files"), [{ path: "pages/new name.md", id_seed: "old name" }]);
      assert.deepEqual(await queryRows(g.database, "SELECT DISTINCT page, path FROM blocks"), [{ page: "new name", path: "pages/new name.md" }]);
    } finally {
      await g.cleanup();
    }
  });
}
