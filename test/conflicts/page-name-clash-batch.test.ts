import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { indexWrite } from "../support/index-writes.ts";

/** The writer's own rule, batch by batch (the CLI and service tests cannot choose what shares a batch). */
test("held claims in the writer: first by path order in one batch, an owner keeping its name, a move onto an owned name, release when the owner leaves", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-clash-batch-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  const apply = (writes: FileWrite[]) => writer.apply({ writes, pageNameClash: "index" });
  const rows = async () => (await writer.connection.runAndReadAll(
    `SELECT f.path, f.status, f.size = 0 AS reread, p.name FROM files f LEFT JOIN pages p USING (path) ORDER BY f.path`,
  )).getRowObjectsJson();
  try {
    // Two new claimants of "foo" in one batch, given in reverse path order: "pages/Foo.md" < "pages/foo.md" owns it.
    const first = await apply([indexWrite("pages/foo.md", "- lower\n"), indexWrite("pages/Foo.md", "- upper\n"), indexWrite("pages/other.md", "- other\n")]);
    assert.deepEqual(first.held?.map((h) => [h.path, h.file.status]), [["pages/foo.md", "skipped"]]);
    assert.deepEqual(first.pageNameClashes.map(({ id: _id, ...c }) => c), [{ name: "foo", paths: ["pages/foo.md", "pages/Foo.md"], strategy: "index", status: "resolved" }]);

    // The owner is edited (keeps its name) while a third file claims the name by its title: the owner keeps it.
    // A move of "other" onto the path of a name the owner holds ("pages/FOO.md" is "foo" too) is held as well.
    const second = await apply([
      indexWrite("pages/third.md", "title:: foo\n\n- third\n"),
      indexWrite("pages/Foo.md", "- upper, edited\n"),
      { op: "rename", from: "pages/other.md", file: { ...indexWrite("pages/FOO.md", "- other\n").file } },
    ]);
    assert.deepEqual(second.held?.map((h) => h.path).sort(), ["pages/FOO.md", "pages/third.md"]);
    assert.deepEqual(second.released ?? [], []);
    assert.deepEqual(await rows(), [
      { path: "pages/FOO.md", status: "skipped", reread: false, name: null },
      { path: "pages/Foo.md", status: "indexed", reread: false, name: "foo" },
      { path: "pages/foo.md", status: "skipped", reread: false, name: null },
      { path: "pages/third.md", status: "skipped", reread: false, name: null },
    ]);

    // The owner leaves: every held claim of its name is released, to be read again.
    const third = await apply([{ op: "delete", path: "pages/Foo.md" }]);
    assert.deepEqual(third.released, ["pages/FOO.md", "pages/foo.md", "pages/third.md"]);
    assert.deepEqual((await rows()).map((r) => r["reread"]), [true, true, true]);
    // Synced again in one batch: the first by path order owns the name, the others are held by it.
    const fourth = await apply([indexWrite("pages/third.md", "title:: foo\n\n- third\n"), indexWrite("pages/foo.md", "- lower\n"), indexWrite("pages/FOO.md", "- other\n")]);
    assert.deepEqual(fourth.held?.map((h) => [h.path, h.file.error]).sort(), [
      ["pages/foo.md", 'page name "foo" is held by pages/FOO.md (pageNameClash, strategy index): not indexed until pages/FOO.md gives the name up'],
      ["pages/third.md", 'page name "foo" is held by pages/FOO.md (pageNameClash, strategy index): not indexed until pages/FOO.md gives the name up'],
    ]);
    assert.deepEqual((await writer.connection.runAndReadAll(`SELECT path FROM pages`)).getRowObjectsJson(), [{ path: "pages/FOO.md" }]);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
