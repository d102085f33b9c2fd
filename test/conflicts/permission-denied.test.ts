import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, chown } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { repoRoot, runCli, tempGraph, type CliResult, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants, assertSameAsCleanSync } from "../support/index-invariants.ts";
import { conflictRows } from "./conflict-rows.ts";
import { AS_NOBODY } from "../support/nobody.ts";


/**
 * A graph whose pages/secret.md was indexed ("old words"), then rewritten
 * ("new words") and made unreadable for the CLI's user: chmod 000, and as
 * root the CLI runs as nobody (root reads through chmod 000).
 */
async function lockedGraph(strategy: string): Promise<{ g: TempGraph; cli: (args: string[]) => Promise<CliResult>; command?: string[]; unlock: () => Promise<void> }> {
  const g = await tempGraph({ "pages/open.md": "- readable\n", "pages/secret.md": "- old words\n" }, { conflicts: { permissionDenied: { strategy } } });
  let command: string[] | undefined;
  if (process.getuid?.() === 0) {
    execFileSync("chown", ["-R", "65534:65534", g.root]);
    command = [...AS_NOBODY, process.execPath, join(repoRoot, "bin/sync-pipeline.js")];
  }
  const cli = (args: string[]) => runCli([...args, "--config", g.config], command === undefined ? {} : { command });
  const first = await cli(["run", "--once"]);
  assert.equal(first.code, 0, first.stderr);
  const secret = join(g.graph, "pages/secret.md");
  await g.write("pages/secret.md", "- new words here\n");
  if (command !== undefined) await chown(secret, 65534, 65534);
  await chmod(secret, 0o000);
  return { g, cli, ...(command === undefined ? {} : { command }), unlock: () => chmod(secret, 0o644) };
}

const secretRow = (g: TempGraph) => queryRows(g.database, "SELECT status, checksum IS NOT NULL AS has_checksum, error FROM files WHERE path = 'pages/secret.md'");
const hits = async (g: TempGraph, text: string) =>
  (await queryRows(g.database, `SELECT path, content FROM blocks WHERE content LIKE '%${text}%' ORDER BY path`));
const EACCES = /^cannot read: EACCES/;

test("permissionDenied under filesystem: recorded once, applied (row failed, indexed content kept), retried until readable", async () => {
  const { g, cli, command, unlock } = await lockedGraph("filesystem");
  try {
    const run = await cli(["run", "--once"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^conflict: #1 permissionDenied: pages\/secret\.md \(applied filesystem\)$/m);
    const rows = await conflictRows(g.config, command === undefined ? {} : { command });
    assert.equal(rows.length, 1);
    const reason = String(rows[0]?.details["reason"]);
    assert.match(reason, EACCES);
    assert.deepEqual(rows, [{
      id: 1, type: "permissionDenied", paths: ["pages/secret.md"], details: { reason, key: reason },
      strategy: "filesystem", status: "resolved", resolution: "filesystem",
    }]);
    assert.deepEqual(await secretRow(g), [{ status: "failed", has_checksum: true, error: reason }]);
    assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "old words" }]);
    // Still unreadable: the same conflict, not a new row.
    assert.equal((await cli(["run", "--once"])).code, 1);
    assert.equal((await conflictRows(g.config, command === undefined ? {} : { command })).length, 1);
    await unlock();
    assert.equal((await cli(["run", "--once"])).code, 0);
    assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "new words here" }]);
    assert.equal((await conflictRows(g.config, command === undefined ? {} : { command })).length, 1);
    await assertSameAsCleanSync(g);
  } finally {
    if (process.getuid?.() === 0) await chown(g.root, 0, 0).catch(() => {});
    await g.cleanup();
  }
});

test("permissionDenied under manual: held open (nothing written for it, readable again or not) until resolve filesystem; the next sync applies the file", async () => {
  const { g, cli, command, unlock } = await lockedGraph("manual");
  const asCli = command === undefined ? {} : { command };
  try {
    const indexedRow = await secretRow(g);
    assert.deepEqual(indexedRow, [{ status: "indexed", has_checksum: true, error: null }]);
    const run = await cli(["run", "--once"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^conflict: #1 permissionDenied: pages\/secret\.md \(open: sync-pipeline resolve 1 --strategy filesystem\|index\)$/m);
    const [open] = await conflictRows(g.config, { all: false, ...asCli });
    const reason = String(open?.details["reason"]);
    assert.match(reason, EACCES);
    const openRow = { id: 1, type: "permissionDenied", paths: ["pages/secret.md"], details: { reason, key: reason }, strategy: "manual", status: "open", resolution: null };
    assert.deepEqual(open, openRow);
    assert.deepEqual(await secretRow(g), indexedRow, "the file's change (failed) is not applied");
    // Held: readable again, still not applied, and no second conflict.
    await unlock();
    assert.equal((await cli(["run", "--once"])).code, 0);
    assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "old words" }]);
    assert.deepEqual(await conflictRows(g.config, asCli), [openRow]);
    // status says a conflict waits for the user, in both forms.
    const status = await cli(["status"]);
    assert.match(status.stdout, /^Open conflicts: 1 \(sync-pipeline conflicts lists them; resolve ID --strategy filesystem\|index decides\)$/m);
    assert.equal((JSON.parse((await cli(["status", "--json"])).stdout) as { openConflicts: number }).openConflicts, 1);

    const resolved = await cli(["resolve", "1", "--strategy", "filesystem"]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.equal(resolved.stdout, "Resolved #1 (permissionDenied: pages/secret.md) with filesystem: the file is read again by the next sync.\n");
    assert.deepEqual(await conflictRows(g.config, asCli), [{ ...openRow, status: "resolved", resolution: "filesystem" }]);
    assert.deepEqual(await conflictRows(g.config, { all: false, ...asCli }), []);
    assert.equal((JSON.parse((await cli(["status", "--json"])).stdout) as { openConflicts: number }).openConflicts, 0);
    assert.doesNotMatch((await cli(["status"])).stdout, /Open conflicts/);
    assert.equal((await cli(["run", "--once"])).code, 0);
    assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "new words here" }]);
    await assertSameAsCleanSync(g);
  } finally {
    if (process.getuid?.() === 0) await chown(g.root, 0, 0).catch(() => {});
    await g.cleanup();
  }
});

test("permissionDenied under manual, resolved index: the indexed content is kept while the file stays unreadable, and applied once it is readable", async () => {
  const { g, cli, command, unlock } = await lockedGraph("manual");
  const asCli = command === undefined ? {} : { command };
  try {
    assert.equal((await cli(["run", "--once"])).code, 0);
    const resolved = await cli(["resolve", "1", "--strategy", "index"]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.equal(resolved.stdout, "Resolved #1 (permissionDenied: pages/secret.md) with index: the indexed content is kept.\n");
    // Still unreadable for the same reason: the kept decision stands, nothing new is recorded or written.
    const kept = await cli(["run", "--once"]);
    assert.equal(kept.code, 0, kept.stderr);
    const rows = await conflictRows(g.config, asCli);
    assert.deepEqual(rows.map((r) => [r.id, r.status, r.resolution]), [[1, "resolved", "index"]]);
    assert.deepEqual(await secretRow(g), [{ status: "indexed", has_checksum: true, error: null }]);
    assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "old words" }]);
    await unlock();
    assert.equal((await cli(["run", "--once"])).code, 0);
    assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "new words here" }]);
    await assertIndexInvariants(g.database);
  } finally {
    if (process.getuid?.() === 0) await chown(g.root, 0, 0).catch(() => {});
    await g.cleanup();
  }
});

// Both strategies keep the index for this type: timestamp because nothing newer can be read, index by definition.
for (const [strategy, applied] of [["timestamp", "timestamp \\(index\\)"], ["index", "index"]] as const) {
  test(`permissionDenied under ${strategy}: the index wins at once (row and content kept, no failure reported), the same decision on later runs, until the file is readable`, async () => {
    const { g, cli, command, unlock } = await lockedGraph(strategy);
    const asCli = command === undefined ? {} : { command };
    try {
      const indexedRow = await secretRow(g);
      const run = await cli(["run", "--once"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`^conflict: #1 permissionDenied: pages/secret\\.md \\(applied ${applied}\\)$`, "m"));
      const rows = await conflictRows(g.config, asCli);
      const reason = String(rows[0]?.details["reason"]);
      assert.match(reason, EACCES);
      const row = { id: 1, type: "permissionDenied", paths: ["pages/secret.md"], details: { reason, key: reason }, strategy, status: "resolved", resolution: "index" };
      assert.deepEqual(rows, [row]);
      assert.deepEqual(await secretRow(g), indexedRow, "the failed read is not written over the indexed row");
      assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "old words" }]);
      // Still unreadable: the same decision, nothing recorded, reported or written again.
      const again = await cli(["run", "--once"]);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /conflict:/);
      assert.deepEqual(await conflictRows(g.config, asCli), [row]);
      assert.deepEqual(await secretRow(g), indexedRow);
      await unlock();
      assert.equal((await cli(["run", "--once"])).code, 0);
      assert.deepEqual(await hits(g, "words"), [{ path: "pages/secret.md", content: "new words here" }]);
      assert.deepEqual(await conflictRows(g.config, asCli), [row]);
      await assertSameAsCleanSync(g);
    } finally {
      if (process.getuid?.() === 0) await chown(g.root, 0, 0).catch(() => {});
      await g.cleanup();
    }
  });
}
