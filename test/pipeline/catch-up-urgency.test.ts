import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { SyncEventKind } from "../../src/pipeline/sync-event.ts";
import { SyncOrchestrator } from "../../src/pipeline/sync-orchestrator.ts";
import { SyncPriority } from "../../src/pipeline/sync-priority-calculator.ts";
import { tempGraph } from "../support/cli.ts";
import { holdReads } from "../support/held-reads.ts";

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const by = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > by) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * While a catch-up has files queued or in flight, its batches wait to fill
 * (half the batch limits, BatchProcessor `moreComing`); a user's edit or
 * delete must not wait with them (`urgent`). Catch-up files are held in
 * flight and queued behind the edit, so more is coming for as long as the
 * test wants.
 */
test("orchestrator: an edit and a delete made during a catch-up are written while catch-up files are still queued and in flight", async () => {
  const g = await tempGraph({ "pages/edited.md": "- before\n", "pages/doomed.md": "- soon gone\n" });
  try {
    const config = await loadConfig(g.config);
    const graph = await readGraphConfig(config.graph);
    const pools = await createPools(config, graph);
    const reads = holdReads(pools);
    try {
      const orchestrator = await SyncOrchestrator.start({ config, graph, pools }, { consumers: 3, maxQueued: 100, pairWindowMs: 0, maxPairWaitMs: 0 });
      await orchestrator.scan("", SyncPriority.catchUp);
      await orchestrator.whenIdle();
      /** A new file found by a catch-up scan of its folder alone, its read held. */
      const catchUpFile = async (path: string, folder: string, wait = true) => {
        reads.hold(path);
        await g.write(path, `- found by a catch-up scan of ${folder}\n`);
        await orchestrator.scan(folder, SyncPriority.catchUp);
        if (wait) await reads.held(path);
      };

      // Two consumers hold catch-up files in flight; the third takes the edit, its read held too.
      await catchUpFile("pages/first.md", "pages");
      await catchUpFile("journals/second.md", "journals");
      reads.hold("pages/edited.md");
      await g.write("pages/edited.md", "- after\n");
      orchestrator.submit("pages/edited.md", SyncEventKind.update, Date.now());
      await reads.held("pages/edited.md");
      // Behind it, a third catch-up file queues (its read is not held).
      await catchUpFile("pages/later/third.md", "pages/later", false);
      reads.release("pages/later/third.md");
      assert.deepEqual({ queued: orchestrator.stats["queued"], inFlight: orchestrator.stats["inFlight"] }, { queued: 1, inFlight: 3 });

      // The edit goes on: written while a catch-up file is queued behind it and two are in flight.
      reads.release("pages/edited.md");
      // (The third file may share its batch.)
      await until(() => orchestrator.summary.indexed >= 3, "the edit written while catch-up files are queued and in flight");
      // Then a delete, in a batch of its own (or beside the third file), while two catch-up files are in flight.
      await until(() => orchestrator.stats["queued"] === 0 && orchestrator.stats["inFlight"] === 2, "the third file taken");
      await rm(join(g.graph, "pages/doomed.md"));
      orchestrator.submit("pages/doomed.md", SyncEventKind.delete, Date.now());
      await until(() => orchestrator.summary.deleted === 1, "the delete written while catch-up files are in flight");
      assert.equal(orchestrator.stats["inFlight"], 2, "the first two catch-up files were in flight all along");

      for (const path of ["pages/first.md", "journals/second.md"]) reads.release(path);
      await orchestrator.whenIdle();
      await orchestrator.close();
      assert.deepEqual({ indexed: orchestrator.summary.indexed, deleted: orchestrator.summary.deleted }, { indexed: 6, deleted: 1 });
    } finally {
      // A failed assertion must not leave reads held: the pools would never close.
      reads.release();
      await pools.close();
    }
  } finally {
    await g.cleanup();
  }
});
