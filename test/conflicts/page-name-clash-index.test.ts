import { test } from "node:test";
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli, tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { expectHits, makeSandbox, pollUntil, ServiceProcess, serviceSettled, status, writePage } from "../service/service-harness.ts";
import { conflictRows } from "./conflict-rows.ts";

const INDEX = { conflicts: { pageNameClash: { strategy: "index" } } };
const held = (name: string, owner: string) =>
  `page name "${name}" is held by ${owner} (pageNameClash, strategy index): not indexed until ${owner} gives the name up`;

async function runOnce(g: TempGraph): Promise<string[]> {
  const run = await runCli(["run", "--once", "--config", g.config]);
  assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}\n${run.stderr}`);
  return run.stderr.split("\n").filter((line) => line.startsWith("conflict: "));
}

const rows = (g: TempGraph) => queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
const pages = (g: TempGraph) => queryRows(g.database, "SELECT name, path FROM pages ORDER BY name, path");

test("pageNameClash under index (run --once): the owner keeps the name, a newcomer is held and skipped; released when the owner leaves", async () => {
  const g = await tempGraph({ "pages/foo.md": "- owner words\n", "pages/Bar.md": "- upper bar\n" }, INDEX);
  try {
    assert.deepEqual(await runOnce(g), []);
    await g.write("pages/Foo.md", "- newcomer words\n");
    assert.deepEqual(await runOnce(g), ["conflict: #1 pageNameClash: pages/Foo.md, pages/foo.md (applied index)"]);
    await g.write("pages/bar.md", "- lower bar\n");
    assert.deepEqual(await runOnce(g), ["conflict: #2 pageNameClash: pages/bar.md, pages/Bar.md (applied index)"]);
    assert.deepEqual(await rows(g), [
      { path: "pages/Bar.md", status: "indexed", error: null },
      { path: "pages/Foo.md", status: "skipped", error: held("foo", "pages/foo.md") },
      { path: "pages/bar.md", status: "skipped", error: held("bar", "pages/Bar.md") },
      { path: "pages/foo.md", status: "indexed", error: null },
    ]);
    assert.deepEqual(await pages(g), [{ name: "bar", path: "pages/Bar.md" }, { name: "foo", path: "pages/foo.md" }]);
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM blocks WHERE path IN ('pages/Foo.md', 'pages/bar.md')"), [{ n: 0 }]);
    assert.deepEqual(await conflictRows(g.config), [
      { id: 1, type: "pageNameClash", paths: ["pages/Foo.md", "pages/foo.md"], details: { name: "foo", held: "pages/Foo.md" }, strategy: "index", status: "resolved", resolution: "index" },
      { id: 2, type: "pageNameClash", paths: ["pages/bar.md", "pages/Bar.md"], details: { name: "bar", held: "pages/bar.md" }, strategy: "index", status: "resolved", resolution: "index" },
    ]);
    // `status` lists the held files with their reason.
    const report = await runCli(["status", "--json", "--config", g.config]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /is held by pages\/foo\.md/);
    // Nothing changed: the held rows are not read again, nothing new is recorded.
    assert.deepEqual(await runOnce(g), []);
    assert.equal((await conflictRows(g.config)).length, 2);

    // The owner is deleted: the newcomer is synced again in the same run, and owns the name now.
    await g.remove("pages/foo.md");
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual((await rows(g)).filter((r) => String(r["path"]).toLowerCase() === "pages/foo.md"), [{ path: "pages/Foo.md", status: "indexed", error: null }]);
    assert.deepEqual(await queryRows(g.database, "SELECT content FROM blocks WHERE page = 'foo'"), [{ content: "newcomer words" }]);
    // The owner of "bar" takes another title: the held file gets the name.
    await g.write("pages/Bar.md", "title:: other bar\n\n- upper bar\n");
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await pages(g), [{ name: "bar", path: "pages/bar.md" }, { name: "foo", path: "pages/Foo.md" }, { name: "other bar", path: "pages/Bar.md" }]);
    assert.deepEqual(await queryRows(g.database, "SELECT DISTINCT status FROM files"), [{ status: "indexed" }]);
    // No clash is left: the index is what a clean sync writes (with clashes left, it depends on which file came first).
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("pageNameClash under index (service): a new clash is held at once, and the newcomer is indexed when the owner is deleted", async () => {
  const sandbox = await makeSandbox(INDEX);
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await writePage(sandbox, "pages/foo.md", "- owner words\n");
    await service.ready();
    await expectHits(sandbox, "owner", ["pages/foo.md"]);
    await writePage(sandbox, "pages/Foo.md", "- newcomer words\n");
    await pollUntil(async () => /conflict: #1 pageNameClash: pages\/Foo\.md, pages\/foo\.md \(applied index\)/.test(service.stderr), "held claim");
    await serviceSettled(sandbox);
    assert.deepEqual((await status(sandbox))["problems"], [{ path: "pages/Foo.md", status: "skipped", error: held("foo", "pages/foo.md") }]);
    await expectHits(sandbox, "newcomer", []);
    // An edit of the owner keeps its name: nothing is released.
    await writePage(sandbox, "pages/foo.md", "- owner words again\n");
    await expectHits(sandbox, "again", ["pages/foo.md"]);
    await serviceSettled(sandbox);
    await expectHits(sandbox, "newcomer", []);

    await rm(join(sandbox.graph, "pages/foo.md"));
    await expectHits(sandbox, "newcomer", ["pages/Foo.md"]);
    await serviceSettled(sandbox);
    assert.deepEqual((await status(sandbox))["problems"], []);
    assert.equal((service.stderr.match(/^conflict: /gm) ?? []).length, 1, service.stderr);
    assert.equal(await service.stop(), 0);
    assert.deepEqual(await queryRows(sandbox.database, "SELECT path, status, error FROM files ORDER BY path"), [
      { path: "pages/Foo.md", status: "indexed", error: null },
    ]);
  } finally {
    service.kill();
    await service.exited;
    await sandbox.cleanup();
  }
});

test("pageNameClash switched from index back to filesystem: the held file is read again and indexed, both flagged", async () => {
  const g = await tempGraph({ "pages/foo.md": "- owner words\n" }, INDEX);
  try {
    assert.deepEqual(await runOnce(g), []);
    await g.write("pages/Foo.md", "- newcomer words\n");
    assert.deepEqual(await runOnce(g), ["conflict: #1 pageNameClash: pages/Foo.md, pages/foo.md (applied index)"]);
    await writeFile(g.config, JSON.stringify({ graph: "graph", database: "index.duckdb", logLevel: "warn" }));
    assert.deepEqual(await runOnce(g), ['conflict: page "foo" is defined by pages/Foo.md and pages/foo.md']);
    assert.deepEqual(await rows(g), [
      { path: "pages/Foo.md", status: "warning", error: 'page name "foo" is also defined by pages/foo.md; both are indexed, neither overwrites the other' },
      { path: "pages/foo.md", status: "warning", error: 'page name "foo" is also defined by pages/Foo.md; both are indexed, neither overwrites the other' },
    ]);
    assert.deepEqual(await runOnce(g), []);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("pageNameClash under index (run --once): a held file left unchanged gets back its block ids when released (its row's id seed, read then)", async () => {
  const g = await tempGraph({ "pages/foo.md": "- owner words\n", "pages/baz.md": "- baz block\n" }, INDEX);
  try {
    const ids = () => queryRows(g.database, "SELECT id, content FROM blocks WHERE path = 'pages/baz.md' ORDER BY seq");
    assert.deepEqual(await runOnce(g), []);
    const before = await ids();
    assert.equal(before.length, 1);
    // Renamed by its title onto an owned name: held, its blocks out of the index, its row (and id seed "baz") kept.
    await g.write("pages/baz.md", "title:: foo\n\n- baz block\n");
    assert.deepEqual(await runOnce(g), ["conflict: #1 pageNameClash: pages/baz.md, pages/foo.md (applied index)"]);
    assert.deepEqual(await ids(), []);
    assert.deepEqual(await queryRows(g.database, "SELECT status, id_seed FROM files WHERE path = 'pages/baz.md'"), [{ status: "skipped", id_seed: "baz" }]);
    // The owner leaves; pages/baz.md did not change, so this sync read no row of it until the release.
    await g.remove("pages/foo.md");
    assert.deepEqual(await runOnce(g), []);
    const after = await ids();
    assert.deepEqual(after.map((row) => row["content"]), ["title:: foo", "baz block"]);
    assert.equal(after[1]?.["id"], before[0]?.["id"], "the block's id as first derived from the seed baz");
    assert.deepEqual(await pages(g), [{ name: "foo", path: "pages/baz.md" }]);
  } finally {
    await g.cleanup();
  }
});
