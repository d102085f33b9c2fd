import assert from "node:assert/strict";
import { renameSync, rmSync } from "node:fs";
import { rename } from "node:fs/promises";
import { test } from "node:test";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { GraphMissing } from "../../src/pipeline/directory-scan.ts";
import { runSyncSession } from "../../src/pipeline/sync-session.ts";
import type { SyncEventListener } from "../../src/pipeline/sync-domain-event.ts";
import { runCli, tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";

/** One `run --once` session in this process, with a listener on its events. */
async function session(g: TempGraph, onEvent: SyncEventListener) {
  const config = await loadConfig(g.config);
  const graph = await readGraphConfig(config.graph);
  const pools = await createPools(config, graph);
  try {
    return await runSyncSession({ config, graph, pools, onEvent });
  } finally {
    await pools.close();
  }
}

const contents = (g: TempGraph) => queryRows(g.database, "SELECT path, content FROM blocks ORDER BY path");

test("run --once: a graph folder that goes away mid-run fails the run, deletes nothing, and the next run completes", async () => {
  const g = await tempGraph({ "pages/kept.md": "- kept\n", "pages/edited.md": "- before\n", "pages/deleted.md": "- deleted\n" });
  try {
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    const indexed = await contents(g);
    assert.deepEqual(indexed, [
      { path: "pages/deleted.md", content: "deleted" },
      { path: "pages/edited.md", content: "before" },
      { path: "pages/kept.md", content: "kept" },
    ]);
    await g.write("pages/edited.md", "- after\n");
    await g.write("pages/new.md", "- new\n");
    await g.remove("pages/deleted.md");
    const gone = `${g.graph}-unmounted`;
    // The folder goes as the session starts its work, after its scan: every task finds it missing.
    await assert.rejects(
      session(g, (event) => {
        if (event.type === "SyncStarted") renameSync(g.graph, gone);
      }),
      (error: Error) => {
        assert.ok(error instanceof GraphMissing, String(error));
        assert.equal(
          error.message,
          `graph folder ${g.graph} could not be reached during the sync: 3 files were not synced and the index keeps them as they were. Run again once the folder is back.`,
        );
        return true;
      },
    );
    // Not a delete of every file, nor of the one that really went: the index is as it was.
    assert.deepEqual(await contents(g), indexed);
    await rename(gone, g.graph);
    const summary = await session(g, () => {});
    assert.deepEqual({ indexed: summary.indexed, deleted: summary.deleted, unchanged: summary.unchanged, failed: summary.failed }, { indexed: 2, deleted: 1, unchanged: 1, failed: 0 });
    assert.deepEqual(await contents(g), [
      { path: "pages/edited.md", content: "after" },
      { path: "pages/kept.md", content: "kept" },
      { path: "pages/new.md", content: "new" },
    ]);
  } finally {
    await g.cleanup();
  }
});

test("run --once: files deleted between the scan and their read are deleted from the index, not retried or failed", async () => {
  const g = await tempGraph({ "pages/kept.md": "- kept\n", "pages/edited.md": "- before\n" });
  try {
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    await g.write("pages/edited.md", "- after\n");
    await g.write("pages/new.md", "- new\n");
    const seen: string[] = [];
    const summary = await session(g, (event) => {
      seen.push(event.type);
      // Listed by the scan, gone before any is read.
      if (event.type === "SyncStarted") for (const path of ["pages/edited.md", "pages/new.md"]) rmSync(`${g.graph}/${path}`);
    });
    assert.deepEqual(
      { indexed: summary.indexed, deleted: summary.deleted, failed: summary.failed, problems: summary.problems },
      { indexed: 0, deleted: 1, failed: 0, problems: [] },
    );
    assert.deepEqual(seen.filter((type) => type === "FileSyncRetried"), []);
    assert.deepEqual(await contents(g), [{ path: "pages/kept.md", content: "kept" }]);
    assert.deepEqual(await queryRows(g.database, "SELECT path, status FROM files ORDER BY path"), [{ path: "pages/kept.md", status: "indexed" }]);
  } finally {
    await g.cleanup();
  }
});

test("run --once: its summary lists every problem of the run, past the 100 a service keeps", async () => {
  const files = Object.fromEntries(Array.from({ length: 105 }, (_, i) => [`pages/bin${i}.md`, new Uint8Array([0x2d, 0x20, 0, i])]));
  const g = await tempGraph(files);
  try {
    const summary = await session(g, () => {});
    assert.deepEqual({ skipped: summary.skipped, problems: summary.problems.length }, { skipped: 105, problems: 105 });
    assert.equal(new Set(summary.problems.map((problem) => problem.path)).size, 105);
  } finally {
    await g.cleanup();
  }
});
