import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/index/database.ts";
import { DuckDBInstance } from "../../src/index/duckdb.ts";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";

const BLOCKS = 70_000;
const page = (edited: boolean) =>
  Array.from({ length: BLOCKS }, (_, i) => `- entry ${i}${edited && i === BLOCKS / 2 ? " edited" : ""} of the long journal, notes on item${i % 997} and topic${i % 31}\n`).join("");

// Issue #11's large page (5 MB, 70,000 blocks), written whole and then rewritten whole, under the default
// DuckDB memory limit: at 128 MB its writes failed with "Out of Memory Error: failed to allocate data of
// size 32.0 MiB" (large-page-edit bench, 2026-11-29), so the page was recorded failed and its edits never
// became searchable.
test("a 70,000-block page is written, and rewritten whole, under the default DuckDB memory limit", async () => {
  const dir = await mkdtemp(join(tmpdir(), "memory-limit-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await writer.apply({ writes: [indexWrite("pages/long-journal.md", page(false))] });
    writer.forgetDiffStates();
    await writer.apply({ writes: [indexWrite("pages/long-journal.md", page(true))] });
    const reader = await writer.connection.runAndReadAll(`SELECT count(*)::INTEGER, count(*) FILTER (WHERE content LIKE '%edited%')::INTEGER FROM blocks`);
    assert.deepEqual(reader.getRows(), [[BLOCKS, 1]]);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

// A batch past the memory limit is written again with the limit doubled (IndexWriter.apply), then the limit
// is set back. Without that, this rewrite failed at 128 and at 160 MB ("Out of Memory Error: failed to
// allocate data of size 16.0 MiB"), and the page was recorded failed until it changed again.
test("a batch past DuckDB's memory limit is written with more room, and the limit set back after it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "memory-limit-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig, { threads: 2, memoryLimitMb: 128 });
  const limit = async () => String((await writer.connection.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]?.[0]);
  try {
    const configured = await limit();
    const other = (i: number) => `- rewritten ${i} with other words, wombat${i % 89} and quoll${i % 13} [[Other ${i % 700}]]\n`;
    await writer.apply({ writes: [indexWrite("pages/long-journal.md", page(false))] });
    writer.forgetDiffStates();
    await writer.apply({ writes: [indexWrite("pages/long-journal.md", Array.from({ length: BLOCKS }, (_, i) => other(i)).join(""))] });
    const reader = await writer.connection.runAndReadAll(`SELECT count(*)::INTEGER, count(*) FILTER (WHERE content LIKE 'rewritten %')::INTEGER FROM blocks`);
    assert.deepEqual(reader.getRows(), [[BLOCKS, BLOCKS]]);
    assert.equal(await limit(), configured, "the configured limit again");
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

// The writer's DuckDB flushes its allocator after tasks over 8 MB, on background threads (database.ts
// ALLOCATOR: peak RSS of a 100,000-file full index 745-770 MB against 797-839 at the 256 MB limit then); reads keep DuckDB's defaults.
test("the writer's DuckDB gives freed memory back after tasks over 8 MB, on background threads; a read-only open keeps the defaults", async () => {
  const dir = await mkdtemp(join(tmpdir(), "memory-limit-"));
  const path = join(dir, "index.duckdb");
  const settings = `SELECT current_setting('allocator_flush_threshold'), current_setting('allocator_background_threads')::VARCHAR`;
  try {
    const writer = await IndexWriter.open(path, defaultGraphConfig);
    try {
      assert.deepEqual((await writer.connection.runAndReadAll(settings)).getRows(), [["7.6 MiB", "true"]]);
    } finally {
      writer.close();
    }
    // DuckDB's defaults, whatever its version makes them (128.0 MiB and false in 1.x).
    const bare = await DuckDBInstance.create(":memory:");
    const bareConnection = await bare.connect();
    const defaults = (await bareConnection.runAndReadAll(settings)).getRows();
    bareConnection.closeSync();
    bare.closeSync();
    assert.notDeepEqual(defaults, [["7.6 MiB", "true"]]);
    const reader = await openDatabase(path, { create: false, readOnly: true });
    try {
      assert.deepEqual((await reader.connection.runAndReadAll(settings)).getRows(), defaults);
    } finally {
      reader.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
