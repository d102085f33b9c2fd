import assert from "node:assert/strict";
import { test } from "node:test";
import { Bulkhead } from "../../src/bulkheads/bulkhead.ts";
import { createPools, type Pools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { SyncOrchestrator } from "../../src/pipeline/sync-orchestrator.ts";
import { SyncPriority } from "../../src/pipeline/sync-priority-calculator.ts";
import { runSyncSession, type SyncSessionContext } from "../../src/pipeline/sync-session.ts";
import { tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";

const FILES = {
  "pages/good.md": "- a good page\n",
  "pages/throws.md": "- the parser throws on this one\n",
  "pages/crash.md": "- the parsing thread dies on this one\n",
  "pages/other.md": "- another good page\n",
};

/** Real pools, except that the parsing bulkhead runs test/support/faulty-parse.worker.ts. */
async function faultyContext(g: TempGraph): Promise<{ context: SyncSessionContext; close(): Promise<void> }> {
  const config = await loadConfig(g.config);
  const graph = await readGraphConfig(config.graph);
  const pools: Pools = await createPools(config, graph);
  // Bulkhead resolves workers as ../workers/<name>.worker.js beside itself: from dist/src/bulkheads.
  const faulty = new Bulkhead({ name: "parsing", worker: "../../test/support/faulty-parse", threads: 1, maxQueue: 16, workerData: { graph } });
  pools.parsing = faulty;
  return { context: { config, graph, pools }, close: async () => { await faulty.close(); await pools.close(); } };
}

async function fileRows(g: TempGraph): Promise<Record<string, unknown>[]> {
  return queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
}

const EXPECTED = [
  { path: "pages/crash.md", status: "failed" },
  { path: "pages/good.md", status: "indexed" },
  { path: "pages/other.md", status: "indexed" },
  { path: "pages/throws.md", status: "failed" },
];

test("run --once: a parse task that throws or crashes its thread gives a failed row; the rest syncs", async () => {
  const g = await tempGraph(FILES);
  try {
    const { context, close } = await faultyContext(g);
    try {
      const summary = await runSyncSession(context);
      assert.deepEqual({ indexed: summary.indexed, failed: summary.failed }, { indexed: 2, failed: 2 });
    } finally {
      await close();
    }
    const rows = await fileRows(g);
    assert.deepEqual(rows.map(({ path, status }) => ({ path, status })), EXPECTED);
    assert.match(String(rows[3]?.["error"]), /^parsing failed: .*Maximum call stack size exceeded \(injected\)/);
    assert.match(String(rows[0]?.["error"]), /^parsing failed: /);
    assert.deepEqual(await queryRows(g.database, "SELECT path FROM pages ORDER BY path"), [{ path: "pages/good.md" }, { path: "pages/other.md" }]);
  } finally {
    await g.cleanup();
  }
});

test("service orchestrator: a rejected parse task gives a failed row; the rest syncs", async () => {
  const g = await tempGraph(FILES);
  try {
    const { context, close } = await faultyContext(g);
    try {
      const orchestrator = await SyncOrchestrator.start(context, { consumers: 4, maxQueued: 100, pairWindowMs: 50, maxPairWaitMs: 500 });
      await orchestrator.scan("", SyncPriority.catchUp);
      await orchestrator.whenIdle();
      await orchestrator.close();
      assert.deepEqual({ indexed: orchestrator.summary.indexed, failed: orchestrator.summary.failed }, { indexed: 2, failed: 2 });
    } finally {
      await close();
    }
    assert.deepEqual((await fileRows(g)).map(({ path, status }) => ({ path, status })), EXPECTED);
  } finally {
    await g.cleanup();
  }
});
