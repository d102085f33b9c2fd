import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readdir, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateGraph } from "../../bench/generate-graph.ts";
import { runJson } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants, assertSameAsCleanSync } from "../support/index-invariants.ts";
import { assertSameIndex } from "../support/index-tables.ts";
import { ServiceProcess, pollUntil, status } from "../service/service-harness.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

/** Every file of a generated graph, relative to it, sorted. */
async function graphFiles(graph: string): Promise<string[]> {
  return (await readdir(graph, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && /\.(md|org)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name).slice(graph.length + 1))
    .sort();
}

async function writeConfigFile(root: string, name: string, settings: Record<string, unknown>): Promise<string> {
  const path = join(root, `${name}.json`);
  await writeFile(path, JSON.stringify({ graph: join(root, "graph"), database: join(root, `${name}.duckdb`), ...settings }));
  return path;
}

// Issue #8: a catch-up writes large batches (group commit, batch.maxFiles),
// live edits small ones. Both must leave the same tables, row for row.
test("bulk batches and one-file batches build identical tables, for a full index and for a catch-up of edits, deletes and moves", async () => {
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-bulk-"));
  try {
    const graph = join(root, "graph");
    await generateGraph(graph, { files: 120, seed: 11 });
    const bulk = await writeConfigFile(root, "bulk", { batch: { maxFiles: 100_000, maxBlocks: 1_000_000 } });
    const small = await writeConfigFile(root, "small", { batch: { maxFiles: 1, windowMs: 0 } });
    const first = await runJson<SyncSummary>(["run", "--once", "--config", bulk]);
    assert.equal(first.indexed, 120);
    assert.equal((await runJson<SyncSummary>(["run", "--once", "--config", small])).indexed, 120);
    await assertIndexInvariants(join(root, "bulk.duckdb"));
    await assertSameIndex(join(root, "bulk.duckdb"), join(root, "small.duckdb"), "the bulk-built index");

    const paths = await graphFiles(graph);
    for (const path of paths.filter((_, i) => i % 10 === 0)) await appendFile(join(graph, path), "\n- appended in bulk test #bulk\n");
    for (const path of paths.filter((_, i) => i % 10 === 1)) {
      const size = (await readFile(join(graph, path))).length;
      await truncate(join(graph, path), Math.floor(size / 2));
    }
    for (const path of paths.filter((_, i) => i % 10 === 2)) await rm(join(graph, path));
    for (const path of paths.filter((_, i) => i % 10 === 3)) await rename(join(graph, path), join(graph, path.replace(/\.(md|org)$/, "-moved.$1")));
    const bulkRun = await runJson<SyncSummary>(["run", "--once", "--config", bulk]);
    const smallRun = await runJson<SyncSummary>(["run", "--once", "--config", small]);
    assert.deepEqual(
      [bulkRun.indexed, bulkRun.deleted, bulkRun.renamed],
      [24, 12, 12],
      "12 appended + 12 truncated re-indexed, 12 deleted, 12 moved",
    );
    assert.deepEqual([smallRun.indexed, smallRun.deleted, smallRun.renamed], [24, 12, 12]);
    await assertSameIndex(join(root, "bulk.duckdb"), join(root, "small.duckdb"), "the bulk-updated index");
    await assertSameAsCleanSync({ root, config: bulk, database: join(root, "bulk.duckdb") });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

// Issue #8: a crash in the middle of a bulk load leaves the last committed
// state, and the next run completes it.
test("kill -9 during a bulk catch-up leaves whole committed batches; the next run indexes exactly the rest", async () => {
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-bulk-crash-"));
  const total = 1500;
  let service: ServiceProcess | undefined;
  try {
    const graph = join(root, "graph");
    await generateGraph(graph, { files: total, seed: 12 });
    const config = await writeConfigFile(root, "config", { batch: { maxFiles: 128 } });
    const database = join(root, "config.duckdb");
    service = new ServiceProcess(config);
    const sandbox = { configPath: config } as Parameters<typeof status>[0];
    let seen = 0;
    await pollUntil(async () => {
      seen = (await status(sandbox).catch(() => ({ files: 0 }))).files;
      return seen > 0 || service?.child.exitCode !== null;
    }, "the first committed batch", 120_000);
    service.child.kill("SIGKILL");
    await service.exited;
    assert.ok(seen > 0 && seen < total, `killed mid-load (status saw ${seen} of ${total} files)`);

    await assertIndexInvariants(database);
    const [row] = await queryRows(database, `SELECT count(*)::INTEGER AS files, (SELECT count(*) FROM pages)::INTEGER AS pages FROM files`);
    const committed = Number(row?.["files"]);
    assert.ok(committed >= seen && committed < total, `${committed} files committed before the kill`);
    assert.equal(row?.["pages"], committed, "every committed file has its page: batches are whole");

    const next = await runJson<SyncSummary>(["run", "--once", "--config", config]);
    assert.equal(next.indexed, total - committed, "the next run indexes exactly the files the crash cut off");
    assert.equal(next.unchanged, committed);
    await assertSameAsCleanSync({ root, config, database });
  } finally {
    service?.kill();
    await rm(root, { recursive: true, force: true });
  }
});

// A format change (here the journals' title format in config.edn) re-indexes every file in one bulk load,
// whose postings wait in parts while each batch deletes the old rows from the tables (postings-parts.ts).
test("a format change re-indexes every file in bulk and leaves what a clean sync under the new settings leaves", async () => {
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-bulk-format-"));
  try {
    const graph = join(root, "graph");
    await generateGraph(graph, { files: 120, seed: 13 });
    const config = await writeConfigFile(root, "config", { batch: { maxFiles: 16 } });
    const database = join(root, "config.duckdb");
    assert.equal((await runJson<SyncSummary>(["run", "--once", "--config", config])).indexed, 120);
    const settings = join(graph, "logseq/config.edn");
    const edn = await readFile(settings, "utf8");
    assert.ok(edn.includes(`:journal/page-title-format "MMM do, yyyy"`));
    await writeFile(settings, edn.replace(`:journal/page-title-format "MMM do, yyyy"`, `:journal/page-title-format "yyyy-MM-dd"`));

    const again = await runJson<SyncSummary>(["run", "--once", "--config", config]);
    assert.deepEqual([again.indexed, again.unchanged], [120, 0], "every file parsed again");
    const journals = await queryRows(database, `SELECT count(*) AS n FROM pages WHERE journal_day IS NOT NULL AND regexp_matches(name, '^\\d{4}-\\d{2}-\\d{2}$')`);
    assert.ok(Number(journals[0]?.["n"]) > 0, "journal pages carry the new title format");
    assert.equal(existsSync(`${database}.postings`), false, "the load's parts merged and removed");
    await assertSameAsCleanSync({ root, config, database });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
