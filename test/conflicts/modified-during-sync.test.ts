import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { runCli, tempGraph, type TempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { conflictRows, type ConflictRow } from "./conflict-rows.ts";
import { B, numbered, version, type RewriterData } from "./rewriter.worker.ts";

const A = version("alpha");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Saves a new version of `path` every 10 ms, atomically, until stopped, then settles on B with a new mtime
 * (rewriter.worker.ts says how and why). With `saved`: the texts of all versions saved, by checksum, once stopped.
 */
function rewriter(g: TempGraph, path: string, options: { saved?: Map<string, string> } = {}): { stop: () => Promise<void> } {
  const control = new SharedArrayBuffer(8);
  const data: RewriterData = { file: join(g.graph, path), aside: join(g.root, "next.md"), control };
  const worker = new Worker(new URL("./rewriter.worker.js", import.meta.url), { workerData: data });
  const settled = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the rewriter stopped (${code}) before it settled`)));
  });
  return {
    stop: async () => {
      const flags = new Int32Array(control);
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      await settled;
      await worker.terminate();
      for (let n = 0; n < Atomics.load(flags, 1); n++) options.saved?.set(sha256(numbered(n)), numbered(n));
      options.saved?.set(sha256(B), B);
    },
  };
}

const bigFile = (g: TempGraph) => queryRows(g.database, "SELECT size, mtime, checksum, status FROM files WHERE path = 'pages/big.md'");
const bigContent = (g: TempGraph) => queryRows(g.database, "SELECT content FROM blocks WHERE path = 'pages/big.md' ORDER BY content");
const bigRows = (g: TempGraph) => queryRows(g.database, "SELECT path, status FROM files ORDER BY path");

function expectOne(rows: ConflictRow[], strategy: string, status: string, resolution: string | null): void {
  assert.equal(rows.length, 1, JSON.stringify(rows));
  const [row] = rows;
  const read = row?.details["read"] as { size: number; mtime: number; checksum: string | null };
  assert.equal(typeof read?.mtime, "number");
  assert.deepEqual(row, {
    id: 1, type: "modifiedDuringSync", paths: ["pages/big.md"], details: { read },
    strategy, status, resolution,
  });
}

test("modifiedDuringSync under filesystem: one conflict per run of re-reads, applied; once the file settles the index equals a clean sync", async () => {
  const g = await tempGraph({ "pages/a.md": "- small\n", "pages/big.md": A }, { conflicts: { modifiedDuringSync: { strategy: "filesystem" } } });
  try {
    const writes = rewriter(g, "pages/big.md");
    const run = await runCli(["run", "--once", "--config", g.config]);
    await writes.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^conflict: #1 modifiedDuringSync: pages\/big\.md \(applied filesystem\)$/m);
    expectOne(await conflictRows(g.config), "filesystem", "resolved", "filesystem");
    // The last consistent read was written; the settled file differs from it in mtime, so the next run reads it again.
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM blocks WHERE content LIKE 'bravo %'"), [{ n: 2000 }]);
    expectOne(await conflictRows(g.config), "filesystem", "resolved", "filesystem");
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("modifiedDuringSync under manual: the read is dropped and the path held (nothing written) across runs, until resolve filesystem", async () => {
  const g = await tempGraph({ "pages/a.md": "- small\n", "pages/big.md": A }, { conflicts: { modifiedDuringSync: { strategy: "manual" } } });
  try {
    const writes = rewriter(g, "pages/big.md");
    const run = await runCli(["run", "--once", "--config", g.config]);
    await writes.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^conflict: #1 modifiedDuringSync: pages\/big\.md \(open: sync-pipeline resolve 1 --strategy filesystem\|index\)$/m);
    expectOne(await conflictRows(g.config, { all: false }), "manual", "open", null);
    assert.deepEqual(await bigRows(g), [{ path: "pages/a.md", status: "indexed" }], "nothing of the held file is written");
    // Settled, but still held: the next run leaves it alone and records nothing new.
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    assert.deepEqual(await bigRows(g), [{ path: "pages/a.md", status: "indexed" }]);
    expectOne(await conflictRows(g.config), "manual", "open", null);

    const resolved = await runCli(["resolve", "1", "--strategy", "filesystem", "--config", g.config]);
    assert.equal(resolved.code, 0, resolved.stderr);
    expectOne(await conflictRows(g.config), "manual", "resolved", "filesystem");
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    assert.deepEqual(await bigRows(g), [{ path: "pages/a.md", status: "indexed" }, { path: "pages/big.md", status: "indexed" }]);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("modifiedDuringSync under manual, resolved index: the bytes on disk at resolve are kept out across runs (no new conflict); a later edit is applied", async () => {
  const g = await tempGraph({ "pages/a.md": "- small\n", "pages/big.md": A }, { conflicts: { modifiedDuringSync: { strategy: "manual" } } });
  try {
    const writes = rewriter(g, "pages/big.md");
    const run = await runCli(["run", "--once", "--config", g.config]);
    await writes.stop();
    assert.equal(run.code, 0, run.stderr);
    expectOne(await conflictRows(g.config, { all: false }), "manual", "open", null);

    const resolved = await runCli(["resolve", "1", "--strategy", "index", "--config", g.config]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.equal(resolved.stdout, "Resolved #1 (modifiedDuringSync: pages/big.md) with index: the indexed content is kept.\n");
    const [row] = await conflictRows(g.config);
    const kept = row?.details["kept"];
    assert.equal(typeof kept, "string", JSON.stringify(row));
    // Twice: the decision holds across runs, and nothing new is recorded.
    for (let n = 0; n < 2; n++) {
      assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
      assert.deepEqual(await bigRows(g), [{ path: "pages/a.md", status: "indexed" }], "the kept-out bytes are not applied");
      assert.equal((await conflictRows(g.config)).length, 1);
    }
    // The user edits the file after deciding: that edit is newer than the decision and is applied.
    await g.write("pages/big.md", "- charlie\n");
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    assert.deepEqual(await bigRows(g), [{ path: "pages/a.md", status: "indexed" }, { path: "pages/big.md", status: "indexed" }]);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("modifiedDuringSync under index: recorded resolved (index) with the bytes on disk at detection (details.kept); they stay out across runs, no new conflict; a later edit is applied", async () => {
  const g = await tempGraph({ "pages/a.md": "- small\n", "pages/big.md": "- original words\n" }, { conflicts: { modifiedDuringSync: { strategy: "index" } } });
  try {
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    const indexed = await bigFile(g);
    const saved = new Map<string, string>();
    const writes = rewriter(g, "pages/big.md", { saved });
    const run = await runCli(["run", "--once", "--config", g.config]);
    await writes.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^conflict: #1 modifiedDuringSync: pages\/big\.md \(applied index\)$/m);
    const rows = await conflictRows(g.config);
    const { read, kept } = rows[0]?.details ?? {};
    const keptText = saved.get(String(kept));
    assert.ok(keptText !== undefined, `kept is the checksum of a version saved: ${JSON.stringify(rows)}`);
    assert.deepEqual(rows, [{
      id: 1, type: "modifiedDuringSync", paths: ["pages/big.md"], details: { read, kept }, strategy: "index", status: "resolved", resolution: "index",
    }]);
    assert.deepEqual(await bigFile(g), indexed, "neither the read nor a re-read is written");
    assert.deepEqual(await bigContent(g), [{ content: "original words" }]);
    // The file settles on the kept bytes (with a new mtime): each run reads them and leaves the path as indexed.
    await g.write("pages/big.md", keptText);
    for (let n = 0; n < 2; n++) {
      const again = await runCli(["run", "--once", "--config", g.config]);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /conflict:/);
      assert.deepEqual(await bigFile(g), indexed);
      assert.equal((await conflictRows(g.config)).length, 1);
    }
    // An edit after the decision is newer than it: applied.
    await g.write("pages/big.md", "- charlie\n");
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    assert.deepEqual(await bigContent(g), [{ content: "charlie" }]);
    assert.equal((await conflictRows(g.config)).length, 1);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});
