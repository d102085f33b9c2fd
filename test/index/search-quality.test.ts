import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/index/database.ts";
import { searchIndex } from "../../src/index/search.ts";
import { searchPages } from "../../src/index/page-search.ts";
import { repoRoot, runJson } from "../support/cli.ts";
import { WANTED } from "../fixtures/search-graph-queries.ts";

/**
 * Our own small documentation graph (test/fixtures/search-graph), shaped as
 * Logseq's docs graph is: feature pages with properties, long general pages
 * ("Start here", "Release notes") mentioning many query words once each, and
 * journals that make a question's words (how, do, I, a, on) frequent.
 */
const graph = join(repoRoot, "test", "fixtures", "search-graph");

test("on a documentation-shaped fixture graph, the queries people type find the page they want among the first hits", async () => {
  assert.ok(existsSync(join(graph, "pages")), `the fixture graph is missing at ${graph}`);
  const root = await mkdtemp(join(tmpdir(), "search-quality-"));
  try {
    const config = join(root, "config.json");
    await writeFile(config, JSON.stringify({ graph, database: join(root, "index.duckdb"), logLevel: "silent" }));
    await runJson(["run", "--once", "--config", config]);
    const db = await openDatabase(join(root, "index.duckdb"), { create: false, readOnly: true });
    try {
      const misses: string[] = [];
      for (const [query, page, within] of WANTED) {
        const pages = (await searchIndex(db.connection, { text: query, limit: within })).map((h) => h.page);
        if (!pages.includes(page)) misses.push(`${query} → wanted ${page} in the first ${within}, got ${JSON.stringify(pages)}`);
      }
      assert.deepEqual(misses, []);
      const titles = async (text: string) => (await searchPages(db.connection, { text, limit: 1 })).map((p) => p.page);
      assert.deepEqual(await titles("keybord short"), ["Keyboard shortcuts"]);
      assert.deepEqual(await titles("flashc"), ["Flashcards"]);
      assert.deepEqual(await titles("calculater"), ["Calculator"]);
    } finally {
      db.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
