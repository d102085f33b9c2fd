import { test } from "node:test";
import assert from "node:assert/strict";
import { rename, utimes } from "node:fs/promises";
import { join } from "node:path";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { IndexStatus } from "../../src/index/status.ts";
import { assertIndexInvariants, assertSameAsCleanSync } from "../support/index-invariants.ts";

const FILES = {
  "pages/DuckDB.md": "type:: database\n\n- An embedded analytical database.\n\t- Columnar and vectorised.\n- Used by [[Indexer]] for search.\n",
  "pages/Indexer.md": "alias:: search engine\n\n- Builds postings for every block.\n- TODO [#A] Rank page titles first\n- Mentions duckdb twice: duckdb.\n",
  "pages/Notes.md": "- A note about an embedded database and #search\n- Another note\n",
  "journals/2024_01_15.md": "- Met the [[DuckDB]] people.\n",
  "pages/.hidden/ignored.md": "- never indexed",
  "logseq/bak/pages/old.md": "- never indexed",
  "pages/picture.png": "not a page",
};

// A minute's window would hold the last batch a minute (the test's timeout) if the session waited for it.
test("run --once writes its last, partly filled batch as soon as no more files are coming, not at the end of the batch window", { timeout: 30_000 }, async () => {
  const g = await tempGraph(FILES, { batch: { maxFiles: 1000, windowMs: 60_000 } });
  try {
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.deepEqual({ indexed: summary.indexed, failed: summary.failed, blocks: summary.blocks }, { indexed: 4, failed: 0, blocks: 11 });
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM files WHERE status = 'indexed'"), [{ n: 4 }]);
  } finally {
    await g.cleanup();
  }
});

test("one-shot sync indexes the graph, search ranks a page's name first, a re-run is a no-op", async () => {
  const g = await tempGraph(FILES);
  try {
    const first = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.deepEqual(
      { files: first.files, indexed: first.indexed, unchanged: first.unchanged, failed: first.failed, blocks: first.blocks },
      { files: 4, indexed: 4, unchanged: 0, failed: 0, blocks: 11 },
    );
    const pages = await queryRows(g.database, "SELECT name, original_name, path, journal_day FROM pages ORDER BY name");
    assert.deepEqual(pages, [
      { name: "duckdb", original_name: "DuckDB", path: "pages/DuckDB.md", journal_day: null },
      { name: "indexer", original_name: "Indexer", path: "pages/Indexer.md", journal_day: null },
      { name: "jan 15th, 2024", original_name: "Jan 15th, 2024", path: "journals/2024_01_15.md", journal_day: 20240115 },
      { name: "notes", original_name: "Notes", path: "pages/Notes.md", journal_day: null },
    ]);
    const blocks = await queryRows(g.database, "SELECT content, marker, priority, level FROM blocks WHERE path = 'pages/DuckDB.md' AND NOT pre_block ORDER BY key");
    assert.deepEqual(blocks, [
      { content: "An embedded analytical database.", marker: null, priority: null, level: 1 },
      { content: "Columnar and vectorised.", marker: null, priority: null, level: 2 },
      { content: "Used by [[Indexer]] for search.", marker: null, priority: null, level: 1 },
    ]);
    const refs = await queryRows(g.database, "SELECT DISTINCT target, kind FROM refs WHERE path = 'pages/DuckDB.md' AND kind = 'page'");
    assert.deepEqual(refs, [{ target: "indexer", kind: "page" }]);

    // Typing a page's name brings that page first, ahead of blocks that repeat the word.
    const hits = await runJson<SearchHit[]>(["search", "duckdb", "--config", g.config]);
    assert.equal(hits[0]?.page, "DuckDB");
    assert.equal(hits[0]?.path, "pages/DuckDB.md");
    assert.deepEqual(new Set(hits.map((h) => h.path)), new Set(["pages/DuckDB.md", "pages/Indexer.md", "journals/2024_01_15.md"]));
    for (const hit of hits) assert.deepEqual(Object.keys(hit).sort(), ["blockId", "content", "marker", "matched", "page", "path", "score", "terms"]);
    // Blocks holding every query term come before blocks holding some.
    const both = await runJson<SearchHit[]>(["search", "embedded database", "--config", g.config]);
    assert.deepEqual(both.slice(0, 2).map((h) => h.content).sort(), [
      "A note about an embedded database and #search",
      "An embedded analytical database.",
    ]);
    // An alias weighs like a name.
    const alias = await runJson<SearchHit[]>(["search", "search engine", "--config", g.config]);
    assert.equal(alias[0]?.page, "Indexer");

    const readable = await runCli(["search", "columnar", "--config", g.config]);
    assert.equal(readable.code, 0);
    assert.match(readable.stdout, /1\. DuckDB {2}\(pages\/DuckDB\.md\)/);
    assert.match(readable.stdout, /\*\*Columnar\*\* and vectorised\./);

    const second = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.deepEqual(
      { indexed: second.indexed, unchanged: second.unchanged, touched: second.touched, deleted: second.deleted, blocks: second.blocks },
      { indexed: 0, unchanged: 4, touched: 0, deleted: 0, blocks: 0 },
    );
    const status = await runJson<IndexStatus>(["status", "--config", g.config]);
    assert.deepEqual(
      { files: status.files, pages: status.pages, blocks: status.blocks, byStatus: status.byStatus },
      { files: 4, pages: 4, blocks: 11, byStatus: { indexed: 4 } },
    );
    assert.match(status.lastSyncAt ?? "", /^\d{4}-\d\d-\d\dT/);
    // Every count is its own table's (a mix-up of two would pass the checks above).
    const [tables] = await queryRows(
      g.database,
      `SELECT (SELECT count(*) FROM refs)::INTEGER AS refs, (SELECT count(*) FROM fts_terms)::INTEGER AS terms,
        (SELECT count(*) FROM fts_postings)::INTEGER AS postings`,
    );
    assert.deepEqual({ refs: status.refs, terms: status.terms, postings: status.postings, problemCount: status.problemCount }, { ...tables, problemCount: 0 });
    assert.ok(status.refs > 0 && status.terms > status.refs && status.postings > status.terms, JSON.stringify(tables));
    // The last run's summary as it printed it, with its problems counted.
    assert.deepEqual(status.lastSyncSummary, { ...second, problems: 0 });
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});

test("edits, deletes, moves and touches between runs: a moved file keeps its blocks without a re-parse", async () => {
  const g = await tempGraph(FILES);
  try {
    await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    const before = await queryRows(g.database, "SELECT id, key FROM blocks WHERE path = 'pages/Notes.md' ORDER BY key");

    await g.write("pages/Indexer.md", "- Rewritten: postings are clustered by term.\n");
    await g.remove("journals/2024_01_15.md");
    await rename(join(g.graph, "pages/Notes.md"), join(g.graph, "pages/Archive.md"));
    const touchedAt = new Date(Date.now() - 60_000);
    await utimes(join(g.graph, "pages/DuckDB.md"), touchedAt, touchedAt);

    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.deepEqual(
      { indexed: summary.indexed, deleted: summary.deleted, renamed: summary.renamed, touched: summary.touched, unchanged: summary.unchanged },
      { indexed: 1, deleted: 1, renamed: 1, touched: 1, unchanged: 0 },
    );
    const after = await queryRows(g.database, "SELECT id, key, page FROM blocks WHERE path = 'pages/Archive.md' ORDER BY key");
    assert.deepEqual(after.map((b) => ({ id: b["id"], key: b["key"] })), before);
    assert.deepEqual(new Set(after.map((b) => b["page"])), new Set(["archive"]));
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM blocks WHERE path IN ('pages/Notes.md', 'journals/2024_01_15.md')"), [{ n: 0 }]);
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM refs WHERE path = 'journals/2024_01_15.md'"), [{ n: 0 }]);

    const old = await runJson<SearchHit[]>(["search", "Rank page titles", "--config", g.config]);
    assert.equal(old.filter((h) => h.path === "pages/Indexer.md").length, 0);
    const fresh = await runJson<SearchHit[]>(["search", "clustered", "--config", g.config]);
    assert.deepEqual(fresh.map((h) => h.content), ["Rewritten: postings are clustered by term."]);
    const moved = await runJson<SearchHit[]>(["search", "another note", "--config", g.config]);
    assert.equal(moved[0]?.path, "pages/Archive.md");
    assert.equal(moved[0]?.page, "Archive");
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});
