import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rename } from "node:fs/promises";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import { openDatabase } from "../../src/index/database.ts";
import { SCHEMA_VERSION } from "../../src/index/schema.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { conflictRows } from "./conflict-rows.ts";

test("an index of schema version 4 (no conflicts table) is refused and left as it was; moved aside, the next run rebuilds it", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n" });
  try {
    await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    const db = await openDatabase(g.database, { create: false });
    try {
      await db.connection.run(`DROP TABLE conflicts`);
      await db.connection.run(`UPDATE sync_state SET value = '4' WHERE key = 'schema_version'`);
      await db.connection.run(`CHECKPOINT`);
    } finally {
      db.close();
    }
    const before = await readFile(g.database);
    const run = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`holds index schema version 4, this sync-pipeline uses ${SCHEMA_VERSION}; move the file aside`));
    assert.ok((await readFile(g.database)).equals(before), "the old index is not changed");
    await rename(g.database, g.database + ".v4");
    assert.equal((await runJson<SyncSummary>(["run", "--once", "--config", g.config])).indexed, 1);
    assert.deepEqual(await conflictRows(g.config), []);
  } finally {
    await g.cleanup();
  }
});

test("two files naming one page: one pageNameClash row, applied (both indexed), published once; resolve refuses it and unknown ids", async () => {
  const g = await tempGraph({ "pages/Foo.md": "- upper\n", "pages/foo.md": "- lower\n", "pages/bar.md": "- bar\n" });
  try {
    const first = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.stderr.split("\n").filter((l) => l.startsWith("conflict: ")), ['conflict: page "foo" is defined by pages/Foo.md and pages/foo.md']);
    const clash = {
      id: 1, type: "pageNameClash", paths: ["pages/Foo.md", "pages/foo.md"], details: { name: "foo" },
      strategy: "filesystem", status: "resolved", resolution: "filesystem",
    };
    assert.deepEqual(await conflictRows(g.config), [clash]);
    assert.deepEqual(await conflictRows(g.config, { all: false }), [], "an applied conflict is not open");
    // A no-op run and an edit of one clashing file join nothing new: no second row.
    await g.write("pages/foo.md", "- lower, edited\n");
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    // A third file joining the clash is a new conflict with all three paths.
    await g.write("pages/FOO.md", "- shouting\n");
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    assert.deepEqual(await conflictRows(g.config), [clash, { ...clash, id: 2, paths: ["pages/FOO.md", "pages/Foo.md", "pages/foo.md"] }]);

    const text = await runCli(["conflicts", "--all", "--config", g.config]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^#1 pageNameClash pages\/Foo.md, pages\/foo.md\n {4}detected \S+, strategy filesystem, resolved \(filesystem\) \S+\n {4}\{"name":"foo"\}\n#2 /);
    assert.equal((await runCli(["conflicts", "--config", g.config])).stdout, "No open conflicts.\n");

    const again = await runCli(["resolve", "1", "--strategy", "index", "--config", g.config]);
    assert.deepEqual({ code: again.code, stderr: again.stderr }, { code: 2, stderr: "sync-pipeline: conflict 1 is already resolved (filesystem)\n" });
    const unknown = await runCli(["resolve", "99", "--strategy", "filesystem", "--config", g.config]);
    assert.deepEqual({ code: unknown.code, stderr: unknown.stderr }, { code: 2, stderr: "sync-pipeline: no conflict has id 99\n" });
    const badStrategy = await runCli(["resolve", "1", "--strategy", "manual", "--config", g.config]);
    assert.equal(badStrategy.code, 2);
    assert.match(badStrategy.stderr, /Argument: strategy, Given: "manual", Choices: "filesystem", "index"/);
  } finally {
    await g.cleanup();
  }
});

test("every type accepts the four strategies; an unknown strategy name is refused (exit 2, naming the field and the allowed ones)", async () => {
  const all = `"filesystem", "index", "timestamp", "manual"`;
  for (const type of ["modifiedDuringSync", "indexCorruption", "concurrentModification", "permissionDenied", "pageNameClash"]) {
    const g = await tempGraph({ "pages/a.md": "- alpha\n" }, { conflicts: { [type]: { strategy: "newest" } } });
    try {
      const run = await runCli(["run", "--once", "--config", g.config]);
      assert.equal(run.code, 2, `${type}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`field "conflicts\\.${type}\\.strategy" must be one of ${all}`));
    } finally {
      await g.cleanup();
    }
  }
});

test("timestamp for every conflict type is a working config: a clean sync runs, and a page-name clash is applied as under filesystem", async () => {
  const timestamp = Object.fromEntries(["modifiedDuringSync", "indexCorruption", "concurrentModification", "permissionDenied", "pageNameClash"]
    .map((type) => [type, { strategy: "timestamp" }]));
  const g = await tempGraph({ "pages/Foo.md": "- upper\n", "pages/foo.md": "- lower\n" }, { conflicts: timestamp });
  try {
    const run = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await conflictRows(g.config)).map((r) => [r.type, r.paths, r.status, r.resolution]), [
      ["pageNameClash", ["pages/Foo.md", "pages/foo.md"], "resolved", "filesystem"],
    ]);
  } finally {
    await g.cleanup();
  }
});
