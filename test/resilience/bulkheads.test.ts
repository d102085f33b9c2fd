import assert from "node:assert/strict";
import { test } from "node:test";
import { Bulkhead } from "../../src/bulkheads/bulkhead.ts";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { runSyncSession, type SyncSessionContext } from "../../src/pipeline/sync-session.ts";
import { tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants } from "../support/index-invariants.ts";

const GOOD = { "pages/good.md": "- a good page\n", "pages/other.md": "- another good page [[good]]\n", "journals/2024_01_01.md": "- a day\n" };

/** Real pools from the config; `parsing` optionally swapped for another real Bulkhead. */
async function context(g: TempGraph, parsing?: (graph: unknown) => Bulkhead): Promise<SyncSessionContext & { close(): Promise<void> }> {
  const config = await loadConfig(g.config);
  const graph = await readGraphConfig(config.graph);
  const pools = await createPools(config, graph);
  if (parsing !== undefined) {
    await pools.parsing.close();
    pools.parsing = parsing(graph);
  }
  return { config, graph, pools, close: () => pools.close() };
}

async function fileRows(g: TempGraph): Promise<{ path: unknown; status: unknown; error: unknown }[]> {
  return (await queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path")).map(({ path, status, error }) => ({ path, status, error }));
}

test("a parse that never returns is aborted by the per-task timeout and fails alone; its thread is replaced", async () => {
  const g = await tempGraph({ ...GOOD, "pages/hangs.md": "- the parser loops forever on this one\n" });
  try {
    const c = await context(g, (graph) => new Bulkhead({
      name: "parsing",
      // Resolved beside src/bulkheads as ../workers/<name>.worker.js.
      worker: "../../test/resilience/hanging-parse",
      threads: 1,
      maxQueue: 16,
      workerData: { graph },
      taskTimeoutMs: 3000,
    }));
    try {
      const first = await runSyncSession(c);
      assert.deepEqual({ indexed: first.indexed, failed: first.failed }, { indexed: 3, failed: 1 });
      // One thread, killed by the timeout: a new file parses only if piscina replaced it.
      await g.write("pages/after.md", "- parsed by the replacement thread\n");
      const second = await runSyncSession(c);
      // hangs.md is not parsed again: same size and mtime as its failed row.
      assert.deepEqual({ indexed: second.indexed, failed: second.failed, unchanged: second.unchanged }, { indexed: 1, failed: 0, unchanged: 4 });
    } finally {
      await c.close();
    }
    const rows = await fileRows(g);
    assert.deepEqual(rows.map((r) => [r.path, r.status]), [
      ["journals/2024_01_01.md", "indexed"],
      ["pages/after.md", "indexed"],
      ["pages/good.md", "indexed"],
      ["pages/hangs.md", "failed"],
      ["pages/other.md", "indexed"],
    ]);
    assert.equal(rows[3]?.error, "parsing failed: parsing task timed out after 3000 ms (pools.parsing.taskTimeoutMs); its thread was replaced");
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});

test("the task timeout counts only a task's own run, not its wait in the queue", async () => {
  const g = await tempGraph({});
  const graph = await readGraphConfig(g.graph);
  // 30 healthy 100 ms tasks at once on one thread: the last waits about 3 s, over its 1.5 s timeout.
  const pool = new Bulkhead({ name: "parsing", worker: "../../test/resilience/hanging-parse", threads: 1, maxQueue: 64, workerData: { graph }, taskTimeoutMs: 1500 });
  try {
    const runs = Array.from({ length: 30 }, (_, i) => {
      const bytes = new TextEncoder().encode(`- slow page ${i}\n`).buffer as ArrayBuffer;
      return pool.run<{ ok: boolean }>({ path: `slow/${i}.md`, bytes }, { transferList: [bytes] }).then((r) => r.ok, (e: Error) => e.message);
    });
    assert.deepEqual(await Promise.all(runs), Array.from({ length: 30 }, () => true));
  } finally {
    await pool.close();
    await g.cleanup();
  }
});

/** 50,000 blocks, 2.4 MB: the real parser needs far more than 32 MB of heap for it. */
function hugeOutline(): string {
  const lines: string[] = [];
  for (let i = 0; i < 50_000; i++) lines.push(`- block ${i} with [[page ${i % 5000}]] and #tag${i % 300} text`);
  return lines.join("\n") + "\n";
}

test("a parse that blows its thread's heap (pools.parsing.maxOldGenerationMb) fails alone; the pool keeps serving", async () => {
  const g = await tempGraph({ ...GOOD, "pages/huge.md": hugeOutline() }, { pools: { parsing: { threads: 1, maxOldGenerationMb: 32 } } });
  try {
    const c = await context(g);
    try {
      const first = await runSyncSession(c);
      assert.deepEqual({ indexed: first.indexed, failed: first.failed }, { indexed: 3, failed: 1 });
      await g.write("pages/after.md", "- parsed by the replacement thread\n");
      const second = await runSyncSession(c);
      assert.deepEqual({ indexed: second.indexed, failed: second.failed, unchanged: second.unchanged }, { indexed: 1, failed: 0, unchanged: 4 });
    } finally {
      await c.close();
    }
    const rows = await fileRows(g);
    assert.deepEqual(rows.map((r) => [r.path, r.status]), [
      ["journals/2024_01_01.md", "indexed"],
      ["pages/after.md", "indexed"],
      ["pages/good.md", "indexed"],
      ["pages/huge.md", "failed"],
      ["pages/other.md", "indexed"],
    ]);
    assert.equal(rows[3]?.error, "parsing failed: parsing worker ran out of memory (pools.parsing.maxOldGenerationMb = 32); its thread was replaced");
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});

test("parseAtOnce starts the parsing threads with the pools, before any file (a first full index); without it they start at the first file", async () => {
  const g = await tempGraph(GOOD);
  try {
    const config = await loadConfig(g.config);
    const graph = await readGraphConfig(config.graph);
    for (const parseAtOnce of [true, false]) {
      const pools = await createPools(config, graph, undefined, { parseAtOnce });
      try {
        assert.deepEqual(
          [pools.parsing.stats.threads, pools.hashing.stats.threads],
          [parseAtOnce ? config.pools.parsing.threads : 0, 0],
          `parseAtOnce ${parseAtOnce}`,
        );
      } finally {
        await pools.close();
      }
    }
  } finally {
    await g.cleanup();
  }
});
