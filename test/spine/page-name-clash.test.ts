import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";

test("two files resolving to one page name are both indexed and both reported, neither overwritten", async () => {
  const g = await tempGraph({
    "pages/Foo.md": "- upper-case file\n",
    "pages/foo.md": "- lower-case file\n",
    "pages/a___b.md": "- triple lowbar\n",
    "pages/a%2Fb.md": "- percent-encoded slash\n",
    "pages/unique.md": "- no clash here\n",
    "logseq/config.edn": "{:file/name-format :triple-lowbar}",
  });
  try {
    const run = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /conflict: page "foo" is defined by pages\/Foo\.md and pages\/foo\.md/);
    assert.match(run.stderr, /conflict: page "a\/b" is defined by pages\/a%2Fb\.md and pages\/a___b\.md/);
    const pages = await queryRows(g.database, "SELECT name, path FROM pages ORDER BY name, path");
    assert.deepEqual(pages, [
      { name: "a/b", path: "pages/a%2Fb.md" },
      { name: "a/b", path: "pages/a___b.md" },
      { name: "foo", path: "pages/Foo.md" },
      { name: "foo", path: "pages/foo.md" },
      { name: "unique", path: "pages/unique.md" },
    ]);
    const files = await queryRows(g.database, "SELECT path, status, error FROM files WHERE lower(path) = 'pages/foo.md' ORDER BY path");
    assert.deepEqual(files, [
      { path: "pages/Foo.md", status: "warning", error: 'page name "foo" is also defined by pages/foo.md; both are indexed, neither overwrites the other' },
      { path: "pages/foo.md", status: "warning", error: 'page name "foo" is also defined by pages/Foo.md; both are indexed, neither overwrites the other' },
    ]);
    // Removing one side ends the clash on the next sync; the other keeps its content.
    await g.remove("pages/foo.md");
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.equal(summary.deleted, 1);
    assert.deepEqual(await queryRows(g.database, "SELECT content FROM blocks WHERE page = 'foo'"), [{ content: "upper-case file" }]);
    assert.deepEqual(await queryRows(g.database, "SELECT status, error FROM files WHERE path = 'pages/Foo.md'"), [{ status: "indexed", error: null }]);
    // The other clash is untouched by that.
    assert.deepEqual(await queryRows(g.database, "SELECT DISTINCT status FROM files WHERE path LIKE 'pages/a%'"), [{ status: "warning" }]);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});
