import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, refuseRows } from "../support/index-writes.ts";


async function clashTexts(writer: IndexWriter): Promise<string[]> {
  const reader = await writer.connection.runAndReadAll(`SELECT path || ': ' || status || ' ' || coalesce(error, '') FROM files ORDER BY path`);
  return reader.getRows().map((row) => row[0] as string);
}

// The writer knows which page names clash (ClashingNames) and skips the clash read for an edit whose name clashes
// nowhere. A batch that ends a clash and then fails is rolled back: the writer must forget what that batch's
// reconcile told it, or the next edit of a file still in the clash would be taken for one that clashes nowhere,
// and its rewritten files row would lose its clash text.
test("a batch that ends a page-name clash and then fails leaves the writer knowing the clash: the next edit of a clashing file keeps its clash text", async () => {
  const dir = await mkdtemp(join(tmpdir(), "clash-names-rollback-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  const clean = await IndexWriter.open(join(dir, "clean.duckdb"), defaultGraphConfig);
  try {
    const start = [indexWrite("pages/a.md", "title:: Same\n\n- a one\n"), indexWrite("pages/b.md", "title:: Same\n\n- b one\n")];
    await writer.apply({ writes: start });
    await clean.apply({ writes: start });
    // An edit that keeps its name and joins nothing: the writer reads which names clash (and knows "same" does).
    const first = indexWrite("pages/b.md", "title:: Same\n\n- b one, edited\n");
    await writer.apply({ writes: [first] });
    await clean.apply({ writes: [first] });
    const clashing = await clashTexts(writer);
    assert.match(clashing[1] ?? "", /^pages\/b\.md: warning page name "same" is also defined by pages\/a\.md; both are indexed/);

    // a.md leaves the clash (its reconcile clears both texts), then the batch fails recording the new clash of c and d.
    await refuseRows(writer, "conflicts", "NOT list_contains(paths, 'pages/c.md')");
    await assert.rejects(
      writer.apply({
        writes: [
          indexWrite("pages/a.md", "title:: Other\n\n- a one\n"),
          indexWrite("pages/c.md", "title:: Boom\n\n- c\n"),
          indexWrite("pages/d.md", "title:: Boom\n\n- d\n"),
        ],
      }),
      /CHECK constraint failed/,
    );
    assert.deepEqual(await clashTexts(writer), clashing, "rolled back: the clash stands");

    // An edit of b.md that keeps its name: its files row is rewritten, and its clash text must be written again.
    const edit = indexWrite("pages/b.md", "title:: Same\n\n- b one, edited\n- b two\n");
    await writer.apply({ writes: [edit] });
    await clean.apply({ writes: [edit] });
    assert.match((await clashTexts(writer))[1] ?? "", /^pages\/b\.md: warning page name "same" is also defined by pages\/a\.md; both are indexed/);
    assert.deepEqual(await contentOf(writer.connection), await contentOf(clean.connection));
  } finally {
    writer.close();
    clean.close();
    await rm(dir, { recursive: true, force: true });
  }
});
