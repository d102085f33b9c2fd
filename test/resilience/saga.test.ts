import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DuckDBInstance } from "../../src/index/duckdb.ts";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import type { IndexBatch } from "../../src/index/index-batch.ts";
import { SCHEMA_DDL } from "../../src/index/schema.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { runSyncSession } from "../../src/pipeline/sync-session.ts";
import { repoRoot, runCli, runJson, tempGraph, type CliResult } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants, assertSameAsCleanSync } from "../support/index-invariants.ts";

const BAD = "pages/bad.md";

/**
 * A real DuckDB error for one path: the `pages` table is rebuilt with a CHECK
 * constraint its row for BAD breaks (the writer creates tables only if they
 * do not exist), so the transaction holding that file fails in the writer
 * and is rolled back by it, like any other write error.
 */
async function refusePagesRowOf(database: string, path: string): Promise<void> {
  const ddl = SCHEMA_DDL.find((sql) => sql.includes("TABLE IF NOT EXISTS pages")) as string;
  const checked = ddl.replace(/\)\s*$/, `, CHECK (path <> '${path}'))`);
  const instance = await DuckDBInstance.create(database);
  const c = await instance.connect();
  try {
    await c.run("ALTER TABLE pages RENAME TO pages_before");
    await c.run(checked);
    await c.run("INSERT INTO pages SELECT * FROM pages_before");
    await c.run("DROP TABLE pages_before");
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

test("saga: a batch whose write fails is rolled back, halved until the bad file is alone; the rest commits, it is recorded failed", async () => {
  const g = await tempGraph({ "pages/seed.md": "- seed\n" }, { batch: { maxFiles: 32, windowMs: 60000 } });
  try {
    await runJson(["run", "--once", "--config", g.config]);
    await refusePagesRowOf(g.database, BAD);
    for (let i = 0; i < 31; i++) await g.write(`pages/good-${i}.md`, `- good page ${i} [[seed]]\n`);
    await g.write(BAD, "- its pages row breaks the table's CHECK constraint\n");
    const config = await loadConfig(g.config);
    const graph = await readGraphConfig(config.graph);
    const pools = await createPools(config, graph);
    // Records the size of each batch handed to the real writer (and passes it on unchanged).
    const sizes: number[] = [];
    const run = pools.writing.run.bind(pools.writing);
    pools.writing.run = <T>(task: unknown, options?: { name?: string }) => {
      if (options?.name === "apply") sizes.push((task as IndexBatch).writes.length);
      return run<T>(task, options);
    };
    let summary;
    try {
      summary = await runSyncSession({ config, graph, pools });
    } finally {
      await pools.close();
    }
    // 32 → 16+16 → 8+8 → 4+4 → 2+2 → 1+1, then the failed row of the bad file on its own
    // (depth first: the order depends on which half holds the bad file).
    assert.deepEqual(sizes.toSorted((a, b) => b - a), [32, 16, 16, 8, 8, 4, 4, 2, 2, 1, 1, 1]);
    assert.deepEqual({ indexed: summary.indexed, failed: summary.failed }, { indexed: 31, failed: 1 });
    assert.match(summary.problems[0]?.reason ?? "", /^index write failed: .*CHECK constraint failed/);
    const bad = await queryRows(g.database, `SELECT status, error, checksum FROM files WHERE path = '${BAD}'`);
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.["status"], "failed");
    assert.equal(bad[0]?.["checksum"], null);
    assert.match(String(bad[0]?.["error"]), /^index write failed: .*CHECK constraint failed/);
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM pages"), [{ n: 32 }]);
    assert.deepEqual(await queryRows(g.database, `SELECT count(*)::INTEGER AS n FROM blocks WHERE path = '${BAD}'`), [{ n: 0 }]);
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});

/** Runs the CLI with the file size limit at `kilobytes` (`ulimit -f`), SIGXFSZ ignored so writes fail with EFBIG instead. */
function runLimited(args: string[], kilobytes: number): Promise<CliResult> {
  const cli = `exec "${process.execPath}" "${join(repoRoot, "bin/sync-pipeline.js")}" "$@"`;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `trap '' XFSZ; ulimit -f ${kilobytes}; ${cli}`, "bash", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("full disk: the run stops with one clear error, the index keeps its last committed state, the next run completes", async () => {
  const g = await tempGraph({ "pages/seed.md": "- seed\n" }, { batch: { maxFiles: 200 } });
  try {
    await runJson(["run", "--once", "--config", g.config]);
    const before = await queryRows(g.database, "SELECT path, status FROM files ORDER BY path");
    for (let i = 0; i < 600; i++) {
      const lines = Array.from({ length: 20 }, (_, j) => `- block ${j} of page ${i}: lorem ipsum dolor sit amet ${i * 31 + j}`);
      await g.write(`pages/p${i}.md`, lines.join("\n") + "\n");
    }
    // Room for about 512 KB more than the index holds now; the new pages need several MB.
    const limitKb = Math.ceil(statSync(g.database).size / 1024) + 512;
    const full = await runLimited(["run", "--once", "--config", g.config], limitKb);
    assert.equal(full.code, 3, full.stderr.slice(0, 3000));
    assert.match(full.stderr, /^sync-pipeline: cannot write the index .*index\.duckdb: .*File too large\. The disk holding it is full or refuses writes; the index keeps its last committed batch\. Free space and run again to complete the sync\.$/m);
    assert.doesNotMatch(full.stderr, /^failed: /m, "no line per file for a database that cannot be written");
    assert.equal(full.stderr.split("\n").filter((line) => line.includes("cannot write the index")).length, 1, full.stderr.slice(0, 3000));
    // Whole batches or nothing: the files from before are there, and the index is consistent.
    await assertIndexInvariants(g.database);
    const after = await queryRows(g.database, "SELECT path, status FROM files ORDER BY path");
    assert.ok(before.every((row) => after.some((r) => r["path"] === row["path"] && r["status"] === row["status"])));
    assert.ok(after.length < 601, `the limit let every file in (${after.length}): this test cannot run here`);
    const again = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(again.code, 0, again.stderr);
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});
