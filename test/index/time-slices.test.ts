import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { loadSearchModel } from "../../src/index/search-model.ts";
import { searchInMemory } from "../../src/index/search-memory.ts";
import { columnsInSlices, TimeSlices } from "../../src/index/time-slices.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";

/**
 * The writer thread answers searches while it loads a search model: the
 * load's JS runs in slices with the event loop let through between them
 * (time-slices.ts). Slices of 0 ms pause at every chance, of Infinity never.
 */
async function withIndex(run: (writer: IndexWriter) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "time-slices-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    // 3,000 distinct words: the vocabulary is two chunks of DuckDB's 2,048 rows.
    await writer.apply({ writes: Array.from({ length: 300 }, (_, i) => indexWrite(`pages/p${i}.md`, `- ${Array.from({ length: 10 }, (_, j) => `w${i}x${j}`).join(" ")} common\n`)) });
    await run(writer);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test("a result converted in slices is the whole result, and pauses once per chunk when every slice is due", async () => {
  await withIndex(async (writer) => {
    const sql = "SELECT i, 'v' || i AS s FROM range(10000) t(i) ORDER BY i";
    const whole = (await writer.readConnection.runAndReadAll(sql)).getColumns();
    const slices = new TimeSlices(0);
    assert.deepEqual(await columnsInSlices(writer.readConnection, sql, slices), whole);
    // 10,000 rows: 5 chunks of at most 2,048.
    assert.equal(slices.paused, 5);
    const never = new TimeSlices(Infinity);
    assert.deepEqual(await columnsInSlices(writer.readConnection, sql, never), whole);
    assert.equal(never.paused, 0);
  });
});

test("a model loaded in slices lets the event loop run between them and answers as one loaded at once", async () => {
  await withIndex(async (writer) => {
    const sliced = new TimeSlices(0);
    const inSlices = await loadSearchModel(writer.loadConnection, undefined, { slices: sliced });
    const atOnce = new TimeSlices(Infinity);
    const whole = await loadSearchModel(writer.loadConnection, undefined, { slices: atOnce });
    assert.equal(atOnce.paused, 0);
    // Two vocabulary chunks, the pages', and the pauses between the loops' stretches.
    assert.ok(sliced.paused >= 4, `paused ${sliced.paused} times`);
    assert.equal(inSlices.vocabulary.get("w7x3")?.df, 1);
    assert.equal(inSlices.vocabulary.get("common")?.df, 300);
    assert.deepEqual(inSlices.sortedTerms, whole.sortedTerms);
    for (const text of ["common", "w7x3", "w12"]) {
      assert.deepEqual(
        await searchInMemory(writer.readConnection, inSlices, { text, limit: 5 }),
        await searchInMemory(writer.readConnection, whole, { text, limit: 5 }),
        text,
      );
    }
  });
});
