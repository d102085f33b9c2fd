import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { moveAside, openDatabase } from "../../src/index/database.ts";
import { readStatus } from "../../src/index/status.ts";
import { formatStatus } from "../../src/cli/format.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import type { IndexBatch } from "../../src/index/index-batch.ts";
import { contentOf, indexWrite, refuseRows, violationsOf } from "../support/index-writes.ts";
import { runCli } from "../support/cli.ts";

// Issue #8: a one-shot bulk load keeps its postings out of DuckDB until its end (src/index/postings-parts.ts).

const page = (i: number) => Array.from({ length: 12 }, (_, j) => `- word${(i * 7 + j) % 40} other${j} note${i}\n`).join("");
const pages = (from: number, to: number): IndexBatch => ({
  writes: Array.from({ length: to - from }, (_, i) => indexWrite(`pages/p${from + i}.md`, page(from + i))),
});

async function count(writer: IndexWriter, sql: string): Promise<number> {
  return Number((await writer.connection.runAndReadAll(sql)).getRows()[0]?.[0]);
}

async function stateOf(writer: IndexWriter, key: string): Promise<string | undefined> {
  return (await writer.readState())[key];
}

/** The tables a writer leaves after `batches` written one by one outside any bulk load, and sorted. */
async function reference(dir: string, batches: IndexBatch[]): Promise<Record<string, string[]>> {
  const writer = await IndexWriter.open(join(dir, "reference.duckdb"), defaultGraphConfig);
  try {
    for (const batch of batches) await writer.apply(batch);
    await writer.clusterPostings(1);
    return await contentOf(writer.connection);
  } finally {
    writer.close();
  }
}

/** `status` as its text, read from the file as the command does with no service running. */
async function statusText(database: string): Promise<string> {
  const db = await openDatabase(database, { create: false, readOnly: true });
  try {
    return formatStatus(await readStatus(db.connection));
  } finally {
    db.close();
  }
}

async function asideLoad(database: string): Promise<IndexWriter> {
  const writer = await IndexWriter.open(database, defaultGraphConfig);
  await writer.startBulkLoad({ postingsAside: true });
  return writer;
}

async function withDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a bulk load's postings wait in parts, the index whole without them; the next writer merges them and removes what no commit listed", () =>
  withDir("sync-pipeline-parts-", async (dir) => {
    const batches = [pages(0, 4), pages(4, 8), pages(8, 12)];
    const database = join(dir, "index.duckdb");
    const folder = `${database}.postings`;
    let writer = await asideLoad(database);
    for (const batch of batches) await writer.apply(batch);
    // Each page has 12 blocks: the batches start at keys 0, 48 and 96.
    assert.deepEqual((await readdir(folder)).sort(), ["0", "48", "96"].flatMap((k) => [`${k}.postings.parquet`, `${k}.terms.parquet`]).sort());
    assert.equal(await stateOf(writer, "postings_parts"), `["0","48","96"]`);
    assert.equal(await count(writer, `SELECT count(*) FROM blocks`), 144);
    assert.equal(await count(writer, `SELECT count(*) FROM fts_postings`), 0, "no posting in the table yet");
    assert.equal(await count(writer, `SELECT count(*) FROM fts_terms`), 0, "nor a term: df counts the table only");
    assert.deepEqual(await violationsOf(writer.connection), []);
    // Stopped before its end (as a crash would), with the part of a batch that did not commit beside the others.
    writer.close();
    const status = await statusText(database);
    assert.match(status, /^Full-text: 0 terms, 0 postings$/m);
    assert.match(status, /^Full-text of 3 batches waits beside the index: a full index stopped before its end\. Word search misses their blocks until the next `sync-pipeline run` merges them and completes it\.$/m);
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify({ graph: dir, database }));
    const search = await runCli(["search", "note5", "--json", "--config", config]);
    assert.deepEqual([search.code, search.stdout, search.stderr], [
      0,
      "[]\n",
      "sync-pipeline: a full index stopped before its end: word search misses the blocks of 3 of its batches until the next `sync-pipeline run` completes it\n",
    ]);
    for (const kind of ["postings", "terms"]) await copyFile(join(folder, `96.${kind}.parquet`), join(folder, `144.${kind}.parquet`));

    writer = await IndexWriter.open(database, defaultGraphConfig);
    try {
      assert.equal(existsSync(folder), false, "merged at open, and the unlisted part removed");
      assert.equal((await readStatus(writer.connection)).postingsWaiting, undefined);
      assert.equal(await stateOf(writer, "postings_parts"), "");
      assert.deepEqual(await violationsOf(writer.connection), []);
      assert.equal(await writer.clusterPostings(), true, "still unsorted: the next sync's end sorts it");
      assert.deepEqual(await contentOf(writer.connection), await reference(dir, batches));
    } finally {
      writer.close();
    }
    const found = await runCli(["search", "note5", "--limit", "50", "--json", "--config", config]);
    assert.deepEqual([found.code, found.stderr, (JSON.parse(found.stdout) as { path: string }[]).length], [0, "", 12], "page 5's 12 blocks, and no warning");
    // A crash before a load's first commit leaves a part and no list.
    await mkdir(folder);
    await writeFile(join(folder, "144.postings.parquet"), "no commit listed this");
    writer = await IndexWriter.open(database, defaultGraphConfig);
    writer.close();
    assert.equal(existsSync(folder), false);
  }));

test("a bulk load that ends merges its parts into the sorted table; a batch rolled back leaves no part", () =>
  withDir("sync-pipeline-parts-end-", async (dir) => {
    const database = join(dir, "index.duckdb");
    const folder = `${database}.postings`;
    const writer = await asideLoad(database);
    try {
      await writer.apply(pages(0, 4));
      // The batch is rolled back by its page-name clash's conflicts row, after its part was written.
      await refuseRows(writer, "conflicts", "false");
      const clash: IndexBatch = { writes: Array.from({ length: 3 }, (_, i) => indexWrite(`pages/c${i}.md`, `title:: Same\n\n${page(50 + i)}`)) };
      await assert.rejects(writer.apply(clash), /CHECK constraint failed/);
      assert.deepEqual((await readdir(folder)).sort(), ["0.postings.parquet", "0.terms.parquet"]);
      assert.equal(await stateOf(writer, "postings_parts"), `["0"]`);
      await writer.apply(pages(4, 6));
      assert.equal(await stateOf(writer, "postings_parts"), `["0","48"]`);

      assert.equal(await writer.clusterPostings(), true);
      assert.equal(existsSync(folder), false);
      assert.equal(await stateOf(writer, "postings_parts"), "");
      assert.deepEqual(await violationsOf(writer.connection), []);
      assert.deepEqual(await contentOf(writer.connection), await reference(dir, [pages(0, 4), pages(4, 6)]));
    } finally {
      writer.close();
    }
  }));

test("a batch that rewrites or deletes a page whose postings are in a part moves the parts into fts_postings first", () =>
  withDir("sync-pipeline-parts-rewrite-", async (dir) => {
    const database = join(dir, "index.duckdb");
    const folder = `${database}.postings`;
    const rewrite: IndexBatch = { writes: [indexWrite("pages/p1.md", "- rewritten word3 fresh\n"), { op: "delete", path: "pages/p5.md" }] };
    const batches = [pages(0, 4), pages(4, 8), rewrite, pages(8, 10)];
    const writer = await asideLoad(database);
    try {
      await writer.apply(batches[0] as IndexBatch);
      await writer.apply(batches[1] as IndexBatch);
      assert.equal(await count(writer, `SELECT count(*) FROM fts_postings`), 0);
      await writer.apply(rewrite);
      assert.equal(existsSync(folder), false, "the parts are in the table now");
      assert.deepEqual(await violationsOf(writer.connection), []);
      assert.equal(await count(writer, `SELECT count(*) FROM fts_postings p JOIN fts_terms t USING (term_hash) WHERE t.term = 'fresh'`), 1);
      await writer.apply(batches[3] as IndexBatch);
      assert.equal(existsSync(folder), false, "the rest of the load writes into the table");
      await writer.clusterPostings();
      assert.deepEqual(await contentOf(writer.connection), await reference(dir, batches));
    } finally {
      writer.close();
    }
  }));

test("a listed part that is gone: the next open drops the index format, so the next sync re-indexes every file", () =>
  withDir("sync-pipeline-parts-lost-", async (dir) => {
    const database = join(dir, "index.duckdb");
    const folder = `${database}.postings`;
    const writer = await asideLoad(database);
    await writer.setState({ index_format: "the format of the load" });
    await writer.apply(pages(0, 4));
    await writer.apply(pages(4, 8));
    writer.close();
    await rm(join(folder, "48.postings.parquet"));
    await assertReindexAhead(database);
  }));

/** The next open drops the index format (the next sync re-indexes every file), empties the list, merges nothing and removes the parts. */
async function assertReindexAhead(database: string): Promise<void> {
  const writer = await IndexWriter.open(database, defaultGraphConfig);
  try {
    assert.deepEqual([await stateOf(writer, "index_format"), await stateOf(writer, "postings_parts")], ["", ""]);
    assert.equal(existsSync(`${database}.postings`), false);
    assert.equal(await count(writer, `SELECT count(*) FROM fts_postings`), 0, "no part merged");
    assert.deepEqual(await violationsOf(writer.connection), []);
  } finally {
    writer.close();
  }
}

test("a list of parts that is not one (sync_state edited by hand): the next open drops the index format too", () =>
  withDir("sync-pipeline-parts-garbled-", async (dir) => {
    const database = join(dir, "index.duckdb");
    const writer = await asideLoad(database);
    await writer.setState({ index_format: "the format of the load" });
    await writer.apply(pages(0, 4));
    await writer.setState({ postings_parts: "[0, " });
    writer.close();
    assert.match(await statusText(database), /^Full-text: 0 terms, 0 postings\nLast sync: never$/m, "no count of waiting batches made up");
    await assertReindexAhead(database);
  }));

test("run --rebuild moves an interrupted load's parts aside with the file they belong to", () =>
  withDir("sync-pipeline-parts-aside-", async (dir) => {
    const database = join(dir, "index.duckdb");
    const writer = await asideLoad(database);
    await writer.apply(pages(0, 2));
    writer.close();
    const aside = moveAside(database, new Date("2026-12-02T16:00:00Z"));
    assert.equal(aside, `${database}.broken-20261202T160000Z`);
    assert.deepEqual((await readdir(`${aside}.postings`)).sort(), ["0.postings.parquet", "0.terms.parquet"]);
    assert.equal(existsSync(`${database}.postings`), false, "the new index starts without them");
  }));
