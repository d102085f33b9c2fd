import assert from "node:assert/strict";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

const BINARY = new Uint8Array([0x2d, 0x20, 0x00, 0x01, 0x02, 0x0a]);

async function once(config: string): Promise<{ code: number | null; summary: SyncSummary; stderr: string }> {
  const r = await runCli(["run", "--once", "--json", "--config", config]);
  return { code: r.code, summary: JSON.parse(r.stdout) as SyncSummary, stderr: r.stderr };
}

/**
 * Issue #14: size and mtime decide first, for skipped and failed files too.
 * An unchanged binary `.md` or too-large page is not read (nor reported)
 * again; a changed one is, and so is a too-large one the limit now allows.
 */
test("run --once: unchanged skipped files are not read again until they change", async () => {
  const g = await tempGraph(
    { "pages/good.md": "- a good page\n", "pages/binary.md": BINARY, "pages/big.md": `- ${"x".repeat(300)}\n` },
    { maxFileSizeBytes: 200 },
  );
  try {
    const first = await once(g.config);
    assert.equal(first.code, 1);
    assert.deepEqual({ indexed: first.summary.indexed, skipped: first.summary.skipped }, { indexed: 1, skipped: 2 });
    assert.match(first.stderr, /binary\.md/);

    const second = await once(g.config);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      { unchanged: second.summary.unchanged, skipped: second.summary.skipped, touched: second.summary.touched, problems: second.summary.problems },
      { unchanged: 3, skipped: 0, touched: 0, problems: [] },
    );
    assert.doesNotMatch(second.stderr, /binary\.md|big\.md/);
    // Their rows stay, with their reasons: `status` still lists them.
    assert.deepEqual(await queryRows(g.database, "SELECT path, status FROM files ORDER BY path"), [
      { path: "pages/big.md", status: "skipped" },
      { path: "pages/binary.md", status: "skipped" },
      { path: "pages/good.md", status: "indexed" },
    ]);

    await appendFile(join(g.graph, "pages/binary.md"), BINARY);
    const third = await once(g.config);
    assert.deepEqual({ unchanged: third.summary.unchanged, skipped: third.summary.skipped }, { unchanged: 2, skipped: 1 });
    assert.deepEqual(third.summary.problems.map((p) => p.path), ["pages/binary.md"]);

    // A higher limit takes the page that was too large, although it did not change.
    await g.write("../config.json", JSON.stringify({ graph: "graph", database: "index.duckdb", logLevel: "warn", maxFileSizeBytes: 1000 }));
    const fourth = await once(g.config);
    assert.deepEqual({ unchanged: fourth.summary.unchanged, indexed: fourth.summary.indexed, skipped: fourth.summary.skipped }, { unchanged: 2, indexed: 1, skipped: 0 });
  } finally {
    await g.cleanup();
  }
});
