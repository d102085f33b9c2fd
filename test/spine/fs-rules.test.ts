import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { repoRoot, runCli, runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

const LINK_REASON = "symbolic link, not followed";
const NAME_REASON = "file name is not valid UTF-8: rename it to index it";

/** A path whose name holds the byte 0xFF (never valid UTF-8), as the raw bytes the file system stores. */
function rawName(folder: string, before: string, after: string): Buffer {
  return Buffer.concat([Buffer.from(join(folder, before)), Buffer.from([0xff]), Buffer.from(after)]);
}

test("run --once: symbolic links are never followed; a link named like a page is a skipped row", async () => {
  const g = await tempGraph({ "pages/a.md": "- inside alpha\n", "journals/2024_01_01.md": "- a journal day\n" });
  const outside = await mkdtemp(join(tmpdir(), "sync-pipeline-outside-"));
  try {
    await mkdir(join(outside, "pages"), { recursive: true });
    await writeFile(join(outside, "out.md"), "- outside omega\n");
    await writeFile(join(outside, "pages", "deep.md"), "- outside deep omega\n");
    await symlink(join(g.graph, "pages/a.md"), join(g.graph, "pages/link-in.md"));
    await symlink(join(outside, "out.md"), join(g.graph, "pages/link-out.md"));
    await symlink(join(outside, "missing.md"), join(g.graph, "pages/dangling.md"));
    await symlink(outside, join(g.graph, "pages/outside"));
    await symlink("..", join(g.graph, "journals/loop"));

    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 1);
    assert.deepEqual({ indexed: summary.indexed, skipped: summary.skipped, failed: summary.failed }, { indexed: 2, skipped: 3, failed: 0 });
    const rows = await queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
    assert.deepEqual(rows, [
      { path: "journals/2024_01_01.md", status: "indexed", error: null },
      { path: "pages/a.md", status: "indexed", error: null },
      { path: "pages/dangling.md", status: "skipped", error: LINK_REASON },
      { path: "pages/link-in.md", status: "skipped", error: LINK_REASON },
      { path: "pages/link-out.md", status: "skipped", error: LINK_REASON },
    ]);
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM blocks WHERE content LIKE '%omega%'"), [{ n: 0 }]);
  } finally {
    await g.cleanup();
    await rm(outside, { recursive: true, force: true });
  }
});

test("run --once: a file or folder name that is not valid UTF-8 is a skipped row with the reason, not dropped", async () => {
  const g = await tempGraph({ "pages/good.md": "- good page\n" });
  try {
    await writeFile(rawName(join(g.graph, "pages"), "bad", ".md"), "- a page with a bad name\n");
    await mkdir(rawName(join(g.graph, "pages"), "dir", ""));
    await writeFile(Buffer.concat([rawName(join(g.graph, "pages"), "dir", ""), Buffer.from("/inner.md")]), "- under a bad folder\n");
    const first = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 1);
    assert.deepEqual({ files: first.files, indexed: first.indexed, skipped: first.skipped }, { files: 3, indexed: 1, skipped: 2 });
    const rows = await queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
    assert.deepEqual(rows, [
      { path: "pages/bad\uFFFD.md", status: "skipped", error: NAME_REASON },
      { path: "pages/dir\uFFFD/inner.md", status: "skipped", error: NAME_REASON },
      { path: "pages/good.md", status: "indexed", error: null },
    ]);
    // Not read or reported again while unchanged; `status` keeps listing them.
    const second = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 0);
    assert.deepEqual({ unchanged: second.unchanged, skipped: second.skipped }, { unchanged: 3, skipped: 0 });
    const human = await runCli(["status", "--config", g.config]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /skipped: pages\/bad\uFFFD\.md: file name is not valid UTF-8/);
  } finally {
    await g.cleanup();
  }
});

test("run --once on a graph path that is itself a symbolic link indexes the real folder", async () => {
  const g = await tempGraph({ "pages/a.md": "- through a linked root\n" }, { graph: "linked-graph" });
  try {
    await symlink(g.graph, join(g.root, "linked-graph"));
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.equal(summary.indexed, 1);
    assert.deepEqual(await queryRows(g.database, "SELECT path FROM files"), [{ path: "pages/a.md" }]);
  } finally {
    await g.cleanup();
  }
});

test("a graph at the filesystem root is refused before anything is written", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-guard-"));
  try {
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify({ graph: "/", database: "index.duckdb" }));
    for (const once of [["--once"], []]) {
      // The timeout only bounds a regression that would index the whole machine.
      const result = await runCli(["run", ...once, "--config", config], { timeoutMs: 30_000 });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /graph: \/ is the filesystem root.*--force/);
      assert.equal(existsSync(join(dir, "index.duckdb")), false);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a graph that is the home folder is refused unless it holds logseq/config.edn or --force is given", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-guard-"));
  try {
    const home = join(dir, "home");
    await mkdir(join(home, "pages"), { recursive: true });
    await writeFile(join(home, "pages", "a.md"), "- a page at home\n");
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify({ graph: "home", database: "index.duckdb", logLevel: "warn" }));
    const asUser = ["env", `HOME=${home}`, process.execPath, join(repoRoot, "bin/sync-pipeline.js")];

    const refused = await runCli(["run", "--once", "--config", config], { command: asUser });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /graph: .*home is your home folder.*logseq\/config\.edn.*--force/);
    assert.equal(existsSync(join(dir, "index.duckdb")), false);

    const forced = await runCli(["run", "--once", "--force", "--config", config], { command: asUser });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(await queryRows(join(dir, "index.duckdb"), "SELECT path FROM files"), [{ path: "pages/a.md" }]);

    await rm(join(dir, "index.duckdb"));
    await mkdir(join(home, "logseq"));
    await writeFile(join(home, "logseq", "config.edn"), "{}\n");
    const graphFolder = await runCli(["run", "--once", "--config", config], { command: asUser });
    assert.equal(graphFolder.code, 0, graphFolder.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
