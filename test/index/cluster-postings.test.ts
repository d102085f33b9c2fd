import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, refuseRows } from "../support/index-writes.ts";

/** Whether fts_postings is stored in (term, block) order, read in storage order (rowid). */
async function inTermOrder(writer: IndexWriter): Promise<boolean> {
  return (await descents(writer, "OR (prev_term = term_hash AND prev_key > block_key)")) === 0;
}

/** How often a posting's term sorts before the one stored before it (a batch sorted by term adds at most one). */
function termDescents(writer: IndexWriter): Promise<number> {
  return descents(writer, "");
}

async function threads(writer: IndexWriter): Promise<number> {
  return Number((await writer.connection.runAndReadAll(`SELECT current_setting('threads')`)).getRows()[0]?.[0]);
}

async function descents(writer: IndexWriter, orKeys: string): Promise<number> {
  const reader = await writer.connection.runAndReadAll(`SELECT count(*) FROM (
      SELECT term_hash, block_key, lag(term_hash) OVER w AS prev_term, lag(block_key) OVER w AS prev_key
      FROM fts_postings WINDOW w AS (ORDER BY rowid))
    WHERE prev_term > term_hash ${orKeys}`);
  return Number(reader.getRows()[0]?.[0]);
}

const page = (i: number) => Array.from({ length: 20 }, (_, j) => `- word${(i * 7 + j) % 50} other${j} note${i}\n`).join("");

// The postings a batch appends count toward the next clusterPostings only once it commits: a batch rolled back
// (here by its page-name clash's conflicts row) and written again in halves by the BatchProcessor would otherwise
// count twice, and a sync whose batches all failed would sort an unchanged table.
test("a batch rolled back adds nothing to the postings clusterPostings counts", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-cluster-rollback-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await writer.apply({ writes: Array.from({ length: 5 }, (_, i) => indexWrite(`pages/p${i}.md`, page(i))) });
    assert.equal(await writer.clusterPostings(1), true);
    await refuseRows(writer, "conflicts", "false");
    const clash = Array.from({ length: 20 }, (_, i) => indexWrite(`pages/c${i}.md`, `title:: Same\n\n${page(100 + i)}`));
    await assert.rejects(writer.apply({ writes: clash }), /CHECK constraint failed/);
    assert.equal(await writer.clusterPostings(1), false, "nothing committed since the last sort");
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("clusterPostings puts fts_postings in term order after a sync that appended many postings, and changes no row", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-cluster-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    // Ten batches, each sorted by term within itself: the table as a whole is not.
    for (let b = 0; b < 10; b++) {
      await writer.apply({ writes: Array.from({ length: 10 }, (_, i) => indexWrite(`pages/p${b}-${i}.md`, page(b * 10 + i))) });
    }
    assert.equal(await inTermOrder(writer), false, "batch by batch, the postings are not in one term order");
    const before = await contentOf(writer.connection);

    assert.equal(await writer.clusterPostings(100_000), false, "under the row minimum: nothing to do");
    assert.equal(await inTermOrder(writer), false);
    assert.equal(await writer.clusterPostings(1_000), true);
    assert.equal(await inTermOrder(writer), true);
    assert.deepEqual(await contentOf(writer.connection), before, "the same rows, table by table");
    assert.equal(await writer.clusterPostings(1_000), false, "nothing appended since");

    // Writes go on against the new table, and search reads it.
    await writer.apply({ writes: [indexWrite("pages/p0-0.md", "- word1 fresh\n")] });
    const fresh = await writer.connection.runAndReadAll(`SELECT count(*) FROM fts_postings p JOIN fts_terms t USING (term_hash) WHERE t.term = 'fresh'`);
    assert.equal(Number(fresh.getRows()[0]?.[0]), 1);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a bulk load leaves each batch's postings unsorted; the next clusterPostings sorts the table whatever its size, even in a later process", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-cluster-"));
  const batches = Array.from({ length: 5 }, (_, b) => ({ writes: Array.from({ length: 10 }, (_, i) => indexWrite(`pages/p${b}-${i}.md`, page(b * 10 + i))) }));
  try {
    const sorted = await IndexWriter.open(join(dir, "sorted.duckdb"), defaultGraphConfig);
    for (const batch of batches) await sorted.apply(batch);
    assert.ok((await termDescents(sorted)) < batches.length, "each batch sorted in itself");
    const expected = await contentOf(sorted.connection);
    sorted.close();

    const path = join(dir, "bulk.duckdb");
    const bulk = await IndexWriter.open(path, defaultGraphConfig, { threads: 2, memoryLimitMb: 256 });
    // DuckDB keeps to the cores the parse threads leave it while the load runs.
    await bulk.startBulkLoad({ threads: 1 });
    assert.equal(await threads(bulk), 1);
    for (const batch of batches) await bulk.apply(batch);
    assert.equal((await bulk.readState())["postings_order"], "unsorted");
    assert.ok((await termDescents(bulk)) > batches.length * 10, "no batch sorted its postings");
    assert.equal(await bulk.clusterPostings(100_000), true);
    assert.equal(await threads(bulk), 2, "the final sort gets every configured thread");
    // Another load, stopped before its end.
    await bulk.startBulkLoad({ threads: 1 });
    for (const batch of batches) await bulk.apply({ writes: batch.writes.map((w) => ({ ...w, whole: true })) });
    // Stopped before its end: the next process's clusterPostings sorts, though far under the row minimum.
    bulk.close();
    const next = await IndexWriter.open(path, defaultGraphConfig);
    try {
      assert.equal(await next.clusterPostings(100_000), true);
      assert.equal(await inTermOrder(next), true);
      assert.equal((await next.readState())["postings_order"], "");
      assert.deepEqual(await contentOf(next.connection), expected, "the same rows as batches that sorted their own");
      assert.equal(await next.clusterPostings(100_000), false, "sorted: nothing to do");
    } finally {
      next.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Blocks of 200 distinct words each: 40 pages of 20 blocks are 160,000 postings, more than a DuckDB row group (122,880 rows). */
const wordy = (i: number) =>
  Array.from({ length: 20 }, (_, j) => `- ${Array.from({ length: 200 }, (_, k) => `w${i}x${j}x${k}`).join(" ")}\n`).join("");

async function setting(writer: IndexWriter, name: string): Promise<string> {
  return String((await writer.connection.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0]?.[0]);
}

async function databaseBlocks(path: string): Promise<{ used: number; free: number }> {
  const writer = await IndexWriter.open(path, defaultGraphConfig);
  try {
    const row = (await writer.connection.runAndReadAll(`SELECT used_blocks, free_blocks FROM pragma_database_size()`)).getRows()[0] ?? [];
    return { used: Number(row[0]), free: Number(row[1]) };
  } finally {
    writer.close();
  }
}

test("a bulk load's unsorted postings never reach the database file: after the sort, the file holds almost no free blocks", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-cluster-"));
  const batches = Array.from({ length: 3 }, (_, b) => ({ writes: Array.from({ length: 40 }, (_, i) => indexWrite(`pages/w${b}-${i}.md`, wordy(b * 40 + i))) }));
  try {
    const path = join(dir, "bulk.duckdb");
    const bulk = await IndexWriter.open(path, defaultGraphConfig);
    await bulk.startBulkLoad({ threads: 1 });
    for (const batch of batches) await bulk.apply(batch);
    assert.equal(Number((await bulk.connection.runAndReadAll(`SELECT count(*) FROM fts_postings`)).getRows()[0]?.[0]), 3 * 160_000);
    assert.equal(await setting(bulk, "enable_optimistic_write"), "false", "off while the load runs");
    assert.equal(await bulk.clusterPostings(100_000), true);
    assert.equal(await inTermOrder(bulk), true);
    assert.equal(await setting(bulk, "enable_optimistic_write"), "true", "DuckDB's default again once the load ends");
    bulk.close();
    const { used, free } = await databaseBlocks(path);
    // Written straight into the file, each batch's postings were left there as free blocks by the sort: 35 beside 57 used (1 beside 56 now).
    assert.ok(free * 5 < used, `${free} free blocks beside ${used} used`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
