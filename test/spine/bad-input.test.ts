import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, chown, readFile, rename, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { repoRoot, runCli, runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { IndexStatus } from "../../src/index/status.ts";
import { assertIndexInvariants, assertSameAsCleanSync } from "../support/index-invariants.ts";

const BINARY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02, 0x00, 0x2d, 0x20]);
const BAD_UTF8 = new Uint8Array([...new TextEncoder().encode("- caf"), 0xe9, ...new TextEncoder().encode(" au lait\n- second block\n")]);

test("binary, bad UTF-8, empty and oversized files get a row and a reason; every other file still syncs", async () => {
  const g = await tempGraph(
    {
      "pages/good.md": "- a perfectly good page\n",
      "pages/binary.md": BINARY,
      "pages/latin1.md": BAD_UTF8,
      "pages/empty.md": "",
      "pages/huge.md": "- " + "word ".repeat(100) + "\n",
    },
    { maxFileSizeBytes: 200 },
  );
  try {
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 1);
    assert.deepEqual(
      { files: summary.files, indexed: summary.indexed, skipped: summary.skipped, failed: summary.failed, warnings: summary.warnings },
      { files: 5, indexed: 3, skipped: 2, failed: 0, warnings: 2 },
    );
    const rows = await queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
    assert.deepEqual(rows, [
      { path: "pages/binary.md", status: "skipped", error: "binary content (NUL bytes), not a text page" },
      { path: "pages/empty.md", status: "warning", error: "empty file: indexed as a page without blocks" },
      { path: "pages/good.md", status: "indexed", error: null },
      { path: "pages/huge.md", status: "skipped", error: "too large: 503 bytes, over the 200-byte limit (maxFileSizeBytes)" },
      { path: "pages/latin1.md", status: "warning", error: "invalid UTF-8: 1 bad byte sequence(s) replaced with U+FFFD" },
    ]);
    const kept = await queryRows(g.database, "SELECT content FROM blocks WHERE path = 'pages/latin1.md' ORDER BY key");
    assert.deepEqual(kept, [{ content: "caf\uFFFD au lait" }, { content: "second block" }]);
    assert.deepEqual(await queryRows(g.database, "SELECT name, block_count FROM pages WHERE path = 'pages/empty.md'"), [{ name: "empty", block_count: 0 }]);

    // The readable report names each problem file with its reason. An unchanged
    // skipped file is not read (nor reported) again: touch it so this run reads it.
    await utimes(join(g.graph, "pages/binary.md"), new Date(), new Date(Date.now() + 5000));
    const human = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /skipped: pages\/binary\.md: binary content/);
    const status = await runJson<IndexStatus>(["status", "--config", g.config]);
    assert.deepEqual(status.byStatus, { indexed: 1, skipped: 2, warning: 2 });
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("a page that turns binary or unreadable keeps its indexed content, marked with the reason", async () => {
  const g = await tempGraph({ "pages/a.md": "- zebra crossing notes\n", "pages/b.md": "- other\n" });
  try {
    await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    await g.write("pages/a.md", BINARY);
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 1);
    assert.equal(summary.skipped, 1);
    const hits = await runJson<SearchHit[]>(["search", "zebra", "--config", g.config]);
    assert.deepEqual(hits.map((h) => h.content), ["zebra crossing notes"]);
    assert.deepEqual(await queryRows(g.database, "SELECT status FROM files WHERE path = 'pages/a.md'"), [{ status: "skipped" }]);
    // Kept content is not what a clean sync would hold, but it must still be whole.
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});

test("an unreadable file is recorded as failed and retried on the next run", async () => {
  const g = await tempGraph({ "pages/open.md": "- readable\n", "pages/secret.md": "- locked away\n" });
  const secret = join(g.graph, "pages/secret.md");
  try {
    // chmod 000 makes a file unreadable, except to root: as root, run the CLI as nobody instead.
    let command: string[] | undefined;
    if (process.getuid?.() === 0) {
      assert.ok(hasSetpriv(), "running as root, this test needs setpriv (util-linux) to run the CLI as nobody: root reads through chmod 000");
      execFileSync("chown", ["-R", "65534:65534", g.root]);
      command = [...AS_NOBODY, process.execPath, join(repoRoot, "bin/sync-pipeline.js")];
    }
    await chmod(secret, 0o000);
    assert.equal(readable(secret, command === undefined ? [] : AS_NOBODY), false, `chmod 000 did not make ${secret} unreadable for the CLI's user: this test cannot run here`);
    const first = await runCli(["run", "--once", "--json", "--config", g.config], command === undefined ? {} : { command });
    assert.equal(first.code, 1, first.stderr);
    const summary = JSON.parse(first.stdout) as SyncSummary;
    assert.deepEqual({ indexed: summary.indexed, failed: summary.failed }, { indexed: 1, failed: 1 });
    assert.match(summary.problems[0]?.reason ?? "", /^cannot read: EACCES/);
    await chmod(secret, 0o644);
    const second = await runCli(["run", "--once", "--json", "--config", g.config], command === undefined ? {} : { command });
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as SyncSummary).indexed, 1);
  } finally {
    if (process.getuid?.() === 0) await chown(g.root, 0, 0).catch(() => {});
    await g.cleanup();
  }
});

const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

/** Whether `path` can be read by this process's user, or by the one `switchUser` (a command prefix) runs as. */
function readable(path: string, switchUser: string[]): boolean {
  try {
    if (switchUser.length === 0) readFileSync(path);
    else execFileSync(switchUser[0] as string, [...switchUser.slice(1), "cat", path], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test("a missing graph folder is refused and the index is left as it was", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n", "pages/b.md": "- beta\n" });
  try {
    await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    await rename(g.graph, g.graph + "-unmounted");
    const result = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /graph folder .*graph does not exist or is not a folder; the index was left as it was/);
    const status = await runJson<IndexStatus>(["status", "--config", g.config]);
    assert.deepEqual({ files: status.files, blocks: status.blocks }, { files: 2, blocks: 2 });
  } finally {
    await g.cleanup();
  }
});

test("a broken or foreign database gets a clear message and is not touched", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n" });
  try {
    const garbage = "this is not a database\n".repeat(100);
    await writeFile(g.database, garbage);
    const run = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /cannot open .*index\.duckdb as a DuckDB database .*it is left untouched/);
    assert.equal(await readFile(g.database, "utf8"), garbage);
    const search = await runCli(["search", "alpha", "--config", g.config]);
    assert.equal(search.code, 3);
    assert.match(search.stderr, /cannot open .*index\.duckdb as a DuckDB database/);
  } finally {
    await g.cleanup();
  }
});

test("search before any sync says how to build the index", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n" });
  try {
    const result = await runCli(["search", "alpha", "--config", g.config]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /no index at .*index\.duckdb: run `sync-pipeline run --once` first/);
  } finally {
    await g.cleanup();
  }
});

function hasSetpriv(): boolean {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
