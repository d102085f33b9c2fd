import { test } from "node:test";
import assert from "node:assert/strict";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

/** Each term with the blocks (by content) that hold it: the whole full-text index, readable. */
async function postings(database: string): Promise<string[]> {
  const rows = await queryRows(
    database,
    `SELECT t.term || ' @ ' || b.path || ': ' || b.content AS posting
     FROM fts_postings p JOIN fts_terms t USING (term_hash) LEFT JOIN blocks b ON b.key = p.block_key ORDER BY ALL`,
  );
  return rows.map((r) => String(r["posting"]));
}

async function counts(database: string): Promise<Record<string, unknown>> {
  const [row] = await queryRows(
    database,
    `SELECT (SELECT count(*) FROM fts_postings)::INTEGER AS postings, (SELECT count(*) FROM fts_terms)::INTEGER AS terms,
      (SELECT count(*) FROM blocks)::INTEGER AS blocks, (SELECT count(*) FROM refs)::INTEGER AS refs`,
  );
  return row ?? {};
}

async function terms(database: string): Promise<string[]> {
  return (await queryRows(database, `SELECT term FROM fts_terms ORDER BY term`)).map((r) => String(r["term"]));
}

/** Rows anywhere in the index that still carry a path or page name that is gone. */
async function rowsOf(database: string, path: string, page: string): Promise<Record<string, unknown>> {
  const [row] = await queryRows(
    database,
    `SELECT (SELECT count(*) FROM files WHERE path = '${path}')::INTEGER AS files,
      (SELECT count(*) FROM pages WHERE path = '${path}' OR name = '${page}')::INTEGER AS pages,
      (SELECT count(*) FROM blocks WHERE path = '${path}' OR page = '${page}')::INTEGER AS blocks,
      (SELECT count(*) FROM refs WHERE path = '${path}' OR page = '${page}')::INTEGER AS refs`,
  );
  return row ?? {};
}

const sync = (config: string) => runJson<SyncSummary>(["run", "--once", "--config", config]);

test("an edit replaces a file's postings and drops terms no block holds any more; a delete leaves no row of the file", async () => {
  const g = await tempGraph({
    "pages/a.md": "- alpha beta\n- gamma delta\n",
    "pages/b.md": "- alpha zeta\n",
  });
  try {
    await sync(g.config);
    assert.deepEqual(await postings(g.database), [
      "alpha @ pages/a.md: alpha beta",
      "alpha @ pages/b.md: alpha zeta",
      "beta @ pages/a.md: alpha beta",
      "delta @ pages/a.md: gamma delta",
      "gamma @ pages/a.md: gamma delta",
      "zeta @ pages/b.md: alpha zeta",
    ]);
    assert.deepEqual(await terms(g.database), ["alpha", "beta", "delta", "gamma", "zeta"]);

    // a.md: 4 postings → 2. Its old words go from the vocabulary, the shared one stays.
    await g.write("pages/a.md", "- alpha epsilon\n");
    assert.equal((await sync(g.config)).indexed, 1);
    assert.deepEqual(await postings(g.database), [
      "alpha @ pages/a.md: alpha epsilon",
      "alpha @ pages/b.md: alpha zeta",
      "epsilon @ pages/a.md: alpha epsilon",
      "zeta @ pages/b.md: alpha zeta",
    ]);
    assert.deepEqual(await terms(g.database), ["alpha", "epsilon", "zeta"]);
    assert.deepEqual(await counts(g.database), { postings: 4, terms: 3, blocks: 2, refs: 0 });
    await assertSameAsCleanSync(g);

    // A second edit of the same file: nothing piles up.
    await g.write("pages/a.md", "- epsilon again\n");
    await sync(g.config);
    assert.deepEqual(await counts(g.database), { postings: 4, terms: 4, blocks: 2, refs: 0 });
    assert.deepEqual(await terms(g.database), ["again", "alpha", "epsilon", "zeta"]);

    await g.remove("pages/b.md");
    assert.equal((await sync(g.config)).deleted, 1);
    assert.deepEqual(await postings(g.database), ["again @ pages/a.md: epsilon again", "epsilon @ pages/a.md: epsilon again"]);
    assert.deepEqual(await terms(g.database), ["again", "epsilon"]);
    assert.deepEqual(await rowsOf(g.database, "pages/b.md", "b"), { files: 0, pages: 0, blocks: 0, refs: 0 });
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("a move relabels the page, its blocks and its refs with the new path and page name", async () => {
  const g = await tempGraph({
    "pages/Notes.md": "- see [[Target]] about #topic\n\t- nested ((66d1b6a1-0000-4000-8000-000000000001)) words\n- plain words\n",
    "pages/Target.md": "- the target page\n",
  });
  try {
    await sync(g.config);
    const before = await counts(g.database);
    const beforeTerms = await terms(g.database);
    await rename(join(g.graph, "pages/Notes.md"), join(g.graph, "pages/Archive.md"));
    const summary = await sync(g.config);
    assert.deepEqual({ renamed: summary.renamed, indexed: summary.indexed }, { renamed: 1, indexed: 0 });

    assert.deepEqual(await rowsOf(g.database, "pages/Notes.md", "notes"), { files: 0, pages: 0, blocks: 0, refs: 0 });
    const refs = await queryRows(g.database, `SELECT path, page, target, kind FROM refs ORDER BY target, kind`);
    assert.deepEqual(refs, [
      { path: "pages/Archive.md", page: "archive", target: "66d1b6a1-0000-4000-8000-000000000001", kind: "block" },
      { path: "pages/Archive.md", page: "archive", target: "target", kind: "page" },
      { path: "pages/Archive.md", page: "archive", target: "topic", kind: "tag" },
    ]);
    const blocks = await queryRows(g.database, `SELECT DISTINCT path, page FROM blocks WHERE path <> 'pages/Target.md'`);
    assert.deepEqual(blocks, [{ path: "pages/Archive.md", page: "archive" }]);
    // A move re-labels rows; it neither adds nor drops any.
    assert.deepEqual(await counts(g.database), before);
    assert.deepEqual(await terms(g.database), beforeTerms);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});
