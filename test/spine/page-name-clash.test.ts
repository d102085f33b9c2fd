import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli, runJson, tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { expectHits, makeSandbox, pollUntil, ServiceProcess, status, writePage } from "../service/service-harness.ts";

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

const TAIL = "; both are indexed, neither overwrites the other";
const UTF8_WARNING = "invalid UTF-8: 1 bad byte sequence(s) replaced with U+FFFD";
/** A page with a parser warning of its own (a byte that is not UTF-8). */
const withBadByte = (text: string) => Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0x0a])]);

/** `conflict:` log lines (one per ConflictDetected event). */
function conflictLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("conflict: "));
}

async function runOnce(g: TempGraph): Promise<string[]> {
  const run = await runCli(["run", "--once", "--config", g.config]);
  assert.ok(run.code === 0, `exit ${run.code}\n${run.stderr}`);
  return conflictLines(run.stderr);
}

test("a third file joining a clash, a move, an edit and files leaving it: every file's error is what a clean sync writes", async () => {
  const g = await tempGraph({
    "pages/Foo.md": "- upper-case file\n",
    "pages/foo.md": "- lower-case file\n",
  });
  const errors = () => queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
  try {
    assert.deepEqual(await runOnce(g), ['conflict: page "foo" is defined by pages/Foo.md and pages/foo.md']);

    // A third file joins by its title, and has a parser warning of its own: the warning comes first.
    await g.write("pages/third.md", withBadByte("title:: foo\n\n- third file "));
    assert.deepEqual(await runOnce(g), ['conflict: page "foo" is defined by pages/Foo.md and pages/foo.md and pages/third.md']);
    assert.deepEqual(await errors(), [
      { path: "pages/Foo.md", status: "warning", error: `page name "foo" is also defined by pages/foo.md, pages/third.md${TAIL}` },
      { path: "pages/foo.md", status: "warning", error: `page name "foo" is also defined by pages/Foo.md, pages/third.md${TAIL}` },
      { path: "pages/third.md", status: "warning", error: `${UTF8_WARNING}; page name "foo" is also defined by pages/Foo.md, pages/foo.md${TAIL}` },
    ]);
    await assertSameAsCleanSync(g);

    // An edit that keeps the name is no new clash.
    await g.write("pages/foo.md", "- lower-case file, edited\n");
    assert.deepEqual(await runOnce(g), []);
    await assertSameAsCleanSync(g);

    // A move keeps the name and changes the path every other file names.
    await g.remove("pages/foo.md");
    await g.write("pages/sub/foo.md", "- lower-case file, edited\n");
    assert.deepEqual(await runOnce(g), ['conflict: page "foo" is defined by pages/Foo.md and pages/sub/foo.md and pages/third.md']);
    assert.deepEqual(await errors(), [
      { path: "pages/Foo.md", status: "warning", error: `page name "foo" is also defined by pages/sub/foo.md, pages/third.md${TAIL}` },
      { path: "pages/sub/foo.md", status: "warning", error: `page name "foo" is also defined by pages/Foo.md, pages/third.md${TAIL}` },
      { path: "pages/third.md", status: "warning", error: `${UTF8_WARNING}; page name "foo" is also defined by pages/Foo.md, pages/sub/foo.md${TAIL}` },
    ]);
    await assertSameAsCleanSync(g);

    // One leaves: the others name only each other.
    await g.remove("pages/Foo.md");
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await errors(), [
      { path: "pages/sub/foo.md", status: "warning", error: `page name "foo" is also defined by pages/third.md${TAIL}` },
      { path: "pages/third.md", status: "warning", error: `${UTF8_WARNING}; page name "foo" is also defined by pages/sub/foo.md${TAIL}` },
    ]);
    await assertSameAsCleanSync(g);

    // The titled file takes another name: the clash ends, its own warning stays.
    await g.write("pages/third.md", withBadByte("title:: bar\n\n- third file "));
    assert.deepEqual(await runOnce(g), []);
    assert.deepEqual(await errors(), [
      { path: "pages/sub/foo.md", status: "indexed", error: null },
      { path: "pages/third.md", status: "warning", error: UTF8_WARNING },
    ]);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("through the service: a third file joins a clash and one leaves it, each file ending as a clean sync writes it", async () => {
  const sandbox = await makeSandbox({ strategy: "realtime" });
  await writePage(sandbox, "pages/Foo.md", "- upper-case quillwort\n");
  await writePage(sandbox, "pages/foo.md", "- lower-case quillwort\n");
  const service = new ServiceProcess(sandbox.configPath);
  const g = { root: sandbox.dir, config: sandbox.configPath, database: sandbox.database };
  try {
    await service.ready();
    assert.deepEqual(conflictLines(service.stderr), ['conflict: page "foo" is defined by pages/Foo.md and pages/foo.md']);
    await writeFile(join(sandbox.graph, "pages/third.md"), withBadByte("title:: foo\n\n- third quillwort "));
    await expectHits(sandbox, "quillwort", ["pages/Foo.md", "pages/foo.md", "pages/third.md"], 30_000);
    await rm(join(sandbox.graph, "pages/Foo.md"));
    await expectHits(sandbox, "quillwort", ["pages/foo.md", "pages/third.md"], 30_000);
    // A touch rewrites foo.md's row from the service's own copy of it, which still names pages/Foo.md.
    const touched = async () => ((await status(sandbox)).service?.["synced"] as { touched: number }).touched;
    const before = await touched();
    await utimes(join(sandbox.graph, "pages/foo.md"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await pollUntil(async () => (await touched()) === before + 1, "foo.md touched", 30_000);
    assert.equal(await service.stop("SIGTERM"), 0);
    assert.deepEqual(conflictLines(service.stderr), [
      'conflict: page "foo" is defined by pages/Foo.md and pages/foo.md',
      'conflict: page "foo" is defined by pages/Foo.md and pages/foo.md and pages/third.md',
    ]);
    assert.deepEqual(await queryRows(sandbox.database, "SELECT path, status, error FROM files ORDER BY path"), [
      { path: "pages/foo.md", status: "warning", error: `page name "foo" is also defined by pages/third.md${TAIL}` },
      { path: "pages/third.md", status: "warning", error: `${UTF8_WARNING}; page name "foo" is also defined by pages/foo.md${TAIL}` },
    ]);
    await assertSameAsCleanSync(g);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});
