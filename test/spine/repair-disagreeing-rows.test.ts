import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase } from "../../src/index/database.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { runJson, tempGraph } from "../support/cli.ts";
import { assertSameIndex } from "../support/index-tables.ts";
import { hitPaths, ServiceProcess, type Sandbox } from "../service/service-harness.ts";

async function execute(database: string, statements: string[]): Promise<void> {
  const db = await openDatabase(database, { create: false });
  try {
    for (const sql of statements) await db.connection.run(sql);
  } finally {
    db.close();
  }
}

/**
 * The lost rows are simulated by deleting them; the vocabulary then follows
 * the postings as the writer keeps it (fts_terms.df = postings per term, no
 * term without postings), so the index disagrees with its files only where
 * the test means it to.
 */
const KEEP_TERMS_CONSISTENT = [
  `UPDATE fts_terms SET df = (SELECT count(*) FROM fts_postings p WHERE p.term_hash = fts_terms.term_hash)`,
  `DELETE FROM fts_terms WHERE df = 0`,
];

/**
 * Issue #13 row 1 left files rows saying `indexed` beside content of other
 * bytes, or beside no page at all, and size+mtime said "unchanged" forever.
 * A sync re-parses a row whose page disagrees with it, whatever its size and mtime.
 */
test("run --once repairs files rows whose content rows disagree with them", async () => {
  const g = await tempGraph({
    "pages/no page.md": "- lost its page and blocks\n",
    "pages/stale.md": "- indexed from other bytes\n",
    "pages/fine.md": "- nothing wrong here\n",
  });
  try {
    await runJson(["run", "--once", "--config", g.config]);
    await execute(g.database, [
      `DELETE FROM fts_postings WHERE block_key IN (SELECT key FROM blocks WHERE path = 'pages/no page.md')`,
      `DELETE FROM blocks WHERE path = 'pages/no page.md'`,
      `DELETE FROM pages WHERE path = 'pages/no page.md'`,
      ...KEEP_TERMS_CONSISTENT,
      `UPDATE pages SET checksum = 'not-the-files-checksum' WHERE path = 'pages/stale.md'`,
    ]);
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.deepEqual({ indexed: summary.indexed, unchanged: summary.unchanged }, { indexed: 2, unchanged: 1 });

    const cleanConfig = join(g.root, "clean.json");
    await writeFile(cleanConfig, JSON.stringify({ graph: "graph", database: "clean.duckdb", logLevel: "warn" }));
    await runJson(["run", "--once", "--config", cleanConfig]);
    await assertSameIndex(g.database, join(g.root, "clean.duckdb"), "repaired index");
  } finally {
    await g.cleanup();
  }
});

test("the service's catch-up repairs a files row that says indexed beside no page", async (t) => {
  const g = await tempGraph({ "pages/no page.md": "- lost its page quarrelwick\n", "pages/fine.md": "- nothing wrong\n" });
  t.after(() => g.cleanup());
  await runJson(["run", "--once", "--config", g.config]);
  await execute(g.database, [
    `DELETE FROM fts_postings WHERE block_key IN (SELECT key FROM blocks WHERE path = 'pages/no page.md')`,
    `DELETE FROM blocks WHERE path = 'pages/no page.md'`,
    `DELETE FROM pages WHERE path = 'pages/no page.md'`,
    ...KEEP_TERMS_CONSISTENT,
  ]);
  const service = new ServiceProcess(g.config);
  t.after(() => service.kill());
  await service.ready();
  const sandbox = { configPath: g.config } as Sandbox;
  assert.deepEqual(await hitPaths(sandbox, "quarrelwick"), ["pages/no page.md"]);
  assert.equal(await service.stop("SIGINT"), 0);
});
