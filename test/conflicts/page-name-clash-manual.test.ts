import { test } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { runCli, tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants } from "../support/index-invariants.ts";
import { expectHits, makeSandbox, pollUntil, ServiceProcess, serviceSettled, status, writePage } from "../service/service-harness.ts";
import { conflictRows } from "./conflict-rows.ts";

const MANUAL = { conflicts: { pageNameClash: { strategy: "manual" } } };
const TAIL = "; both are indexed, neither overwrites the other";
const held = (name: string, owner: string) =>
  `page name "${name}" is held by ${owner} (pageNameClash, strategy manual): not indexed until \`sync-pipeline resolve\` lets it in or ${owner} gives the name up`;

async function runOnce(g: TempGraph): Promise<string[]> {
  const run = await runCli(["run", "--once", "--config", g.config]);
  assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}\n${run.stderr}`);
  return run.stderr.split("\n").filter((line) => line.startsWith("conflict: "));
}

const row = async (g: TempGraph, path: string) => (await queryRows(g.database, `SELECT status, error FROM files WHERE path = '${path}'`))[0];
const contents = (g: TempGraph, page: string) => queryRows(g.database, `SELECT path, content FROM blocks WHERE page = '${page}' ORDER BY path`);

test("pageNameClash under manual (run --once): held and open across runs; resolve filesystem indexes both, flagged; resolve index keeps it out until it changes", async () => {
  const g = await tempGraph({ "pages/foo.md": "- owner foo\n", "pages/bar.md": "- owner bar\n" }, MANUAL);
  try {
    assert.deepEqual(await runOnce(g), []);
    await g.write("pages/Foo.md", "- newcomer foo\n");
    await g.write("pages/Bar.md", "- newcomer bar\n");
    const lines = await runOnce(g);
    assert.equal(lines.length, 2, lines.join("\n"));
    for (const line of lines) assert.match(line, /^conflict: #(\d) pageNameClash: pages\/(Foo|Bar)\.md, pages\/(foo|bar)\.md \(open: sync-pipeline resolve \1 --strategy filesystem\|index\)$/);
    const open = await conflictRows(g.config, { all: false });
    const idOf = (path: string) => open.find((c) => c.paths[0] === path)?.id ?? 0;
    assert.deepEqual(open.map(({ id: _id, ...c }) => c).sort((a, b) => (a.paths[0] ?? "").localeCompare(b.paths[0] ?? "")), [
      { type: "pageNameClash", paths: ["pages/Bar.md", "pages/bar.md"], details: { name: "bar", held: "pages/Bar.md" }, strategy: "manual", status: "open", resolution: null },
      { type: "pageNameClash", paths: ["pages/Foo.md", "pages/foo.md"], details: { name: "foo", held: "pages/Foo.md" }, strategy: "manual", status: "open", resolution: null },
    ]);
    assert.deepEqual(await row(g, "pages/Foo.md"), { status: "skipped", error: held("foo", "pages/foo.md") });
    assert.deepEqual(await contents(g, "foo"), [{ path: "pages/foo.md", content: "owner foo" }]);

    // A later run (a restart) keeps the hold: an edit of the newcomer writes nothing, records nothing new.
    await g.write("pages/Foo.md", "- newcomer foo, edited\n");
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await row(g, "pages/Foo.md"), { status: "skipped", error: held("foo", "pages/foo.md") });
    assert.deepEqual(await contents(g, "foo"), [{ path: "pages/foo.md", content: "owner foo" }]);
    assert.equal((await conflictRows(g.config, { all: false })).length, 2);

    // resolve --strategy filesystem (no service): the next sync indexes the newcomer too, both flagged.
    const resolved = await runCli(["resolve", String(idOf("pages/Foo.md")), "--strategy", "filesystem", "--config", g.config]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await contents(g, "foo"), [{ path: "pages/Foo.md", content: "newcomer foo, edited" }, { path: "pages/foo.md", content: "owner foo" }]);
    assert.deepEqual(await row(g, "pages/Foo.md"), { status: "warning", error: `page name "foo" is also defined by pages/foo.md${TAIL}` });
    assert.deepEqual(await row(g, "pages/foo.md"), { status: "warning", error: `page name "foo" is also defined by pages/Foo.md${TAIL}` });
    // An edit of the newcomer let in keeps its name: it stays indexed.
    await g.write("pages/Foo.md", "- newcomer foo, edited twice\n");
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await contents(g, "foo"), [{ path: "pages/Foo.md", content: "newcomer foo, edited twice" }, { path: "pages/foo.md", content: "owner foo" }]);

    // resolve --strategy index: closed, the newcomer kept out; a later run records nothing.
    const kept = await runCli(["resolve", String(idOf("pages/Bar.md")), "--strategy", "index", "--config", g.config]);
    assert.equal(kept.code, 0, kept.stderr);
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await row(g, "pages/Bar.md"), { status: "skipped", error: held("bar", "pages/bar.md") });
    assert.deepEqual(await contents(g, "bar"), [{ path: "pages/bar.md", content: "owner bar" }]);
    assert.deepEqual(await conflictRows(g.config, { all: false }), []);
    // ... until the file changes again: then it is a new claim, held and open again.
    await g.write("pages/Bar.md", "- newcomer bar, edited\n");
    assert.deepEqual(await runOnce(g), ["conflict: #3 pageNameClash: pages/Bar.md, pages/bar.md (open: sync-pipeline resolve 3 --strategy filesystem|index)"]);
    assert.deepEqual(await contents(g, "bar"), [{ path: "pages/bar.md", content: "owner bar" }]);
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});

test("pageNameClash under manual (service): held while open, across a restart; resolve filesystem through the service; the owner deleted closes it", async () => {
  const sandbox = await makeSandbox(MANUAL);
  let service = new ServiceProcess(sandbox.configPath);
  const problems = async () => (await status(sandbox))["problems"];
  try {
    await writePage(sandbox, "pages/foo.md", "- owner foo\n");
    await writePage(sandbox, "pages/bar.md", "- owner bar\n");
    await service.ready();
    await writePage(sandbox, "pages/Foo.md", "- newcomer foo\n");
    await pollUntil(() => /^conflict: #1 pageNameClash: pages\/Foo\.md, pages\/foo\.md \(open: /m.test(service.stderr), "open clash #1");
    await writePage(sandbox, "pages/Bar.md", "- newcomer bar\n");
    await pollUntil(() => /^conflict: #2 pageNameClash: pages\/Bar\.md, pages\/bar\.md \(open: /m.test(service.stderr), "open clash #2");
    await serviceSettled(sandbox);
    assert.deepEqual(await problems(), [
      { path: "pages/Bar.md", status: "skipped", error: held("bar", "pages/bar.md") },
      { path: "pages/Foo.md", status: "skipped", error: held("foo", "pages/foo.md") },
    ]);
    // The owner is not held: its edits are applied.
    await writePage(sandbox, "pages/foo.md", "- owner foo, ownerchange\n");
    await expectHits(sandbox, "ownerchange", ["pages/foo.md"]);
    // An edit of a held newcomer is not applied.
    await writePage(sandbox, "pages/Foo.md", "- newcomer foo, edited\n");
    await serviceSettled(sandbox);
    await expectHits(sandbox, "newcomer", []);

    // resolve through the running service: the newcomer is synced at once, both flagged.
    const resolved = await runCli(["resolve", "1", "--strategy", "filesystem", "--config", sandbox.configPath]);
    assert.equal(resolved.code, 0, resolved.stderr);
    await expectHits(sandbox, "newcomer", ["pages/Foo.md"]);
    await serviceSettled(sandbox);

    // A restart keeps the other hold.
    assert.equal(await service.stop(), 0);
    service = new ServiceProcess(sandbox.configPath);
    await service.ready();
    await writePage(sandbox, "pages/Bar.md", "- newcomer bar, edited\n");
    await serviceSettled(sandbox);
    await expectHits(sandbox, "newcomer", ["pages/Foo.md"]);
    assert.deepEqual(await problems(), [
      { path: "pages/Bar.md", status: "skipped", error: held("bar", "pages/bar.md") },
      { path: "pages/Foo.md", status: "warning", error: `page name "foo" is also defined by pages/foo.md${TAIL}` },
      { path: "pages/foo.md", status: "warning", error: `page name "foo" is also defined by pages/Foo.md${TAIL}` },
    ]);

    // The owner is deleted: nothing is in the way any more, the conflict closes and the newcomer is indexed.
    await rm(join(sandbox.graph, "pages/bar.md"));
    await expectHits(sandbox, "newcomer", ["pages/Bar.md", "pages/Foo.md"]);
    await serviceSettled(sandbox);
    const rows = await conflictRows(sandbox.configPath);
    assert.deepEqual(rows.map((c) => [c.id, c.status, c.resolution]), [[1, "resolved", "filesystem"], [2, "resolved", "filesystem"]]);
    assert.equal(await service.stop(), 0);
    assert.deepEqual(await queryRows(sandbox.database, "SELECT content FROM blocks WHERE page = 'bar'"), [{ content: "newcomer bar, edited" }]);
    await assertIndexInvariants(sandbox.database);
  } finally {
    service.kill();
    await service.exited;
    await sandbox.cleanup();
  }
});
