import type { ParseMemory } from "../../src/index/partial-parse.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, parserTreeOf } from "../support/index-writes.ts";

/**
 * Issue #11: partial documents (rows only for the blocks the previous parse
 * lacked, indexed-document.ts) leave the tables a whole rewrite leaves, on
 * every path: a diff, a diff needing a block the keys called known, a
 * page-level change going whole. And a large page written whole is diffed
 * on its next edit from the writer's cache.
 */
const PATH = "pages/big.md";

function page(n: number, change: { at?: number; text?: string; moveLastTo?: number; title?: string } = {}): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`- ${change.at === i ? change.text : `entry${i} common`}\n`);
  if (change.moveLastTo !== undefined) lines.splice(change.moveLastTo, 0, lines.pop() as string);
  return (change.title === undefined ? "" : `title:: ${change.title}\n\n`) + lines.join("");
}

function ordsOf(rows: Uint8Array): number[] {
  const text = new TextDecoder().decode(rows).trim();
  return text === "" ? [] : text.split("\n").map((line) => (JSON.parse(line) as { ord: number }).ord);
}

async function withWriters(run: (partial: IndexWriter, whole: IndexWriter) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "partial-doc-"));
  const partial = await IndexWriter.open(join(dir, "partial.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, warmMinBlocks: 0 });
  const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
  try {
    await run(partial, whole);
  } finally {
    partial.close();
    whole.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `text` to both writers: the partial one gets a document built against `previousKeys`; returns its keys. */
async function writeBoth(partial: IndexWriter, whole: IndexWriter, text: string, previousKeys?: ParseMemory): Promise<{ keys: ParseMemory; ords: number[] }> {
  const write = indexWrite(PATH, text, "big", previousKeys);
  const ords = write.doc.source === null ? [] : ordsOf(write.doc.blockRows);
  await partial.apply({ writes: [write] });
  await whole.apply({ writes: [indexWrite(PATH, text, "big")] });
  assert.deepEqual(await contentOf(partial.readConnection), await contentOf(whole.readConnection));
  assert.deepEqual(await parserTreeOf(partial.readConnection, PATH), await parserTreeOf(whole.readConnection, PATH));
  return { keys: write.keys, ords };
}

test("a one-block edit as a partial document carries that block's row alone and is written as a diff, from the cache the whole write filled", async () => {
  await withWriters(async (partial, whole) => {
    const first = await writeBoth(partial, whole, page(200));
    const edit = await writeBoth(partial, whole, page(200, { at: 120, text: "entry120 edited" }), first.keys);
    assert.deepEqual(edit.ords, [120]);
    // files 2, blocks 2, postings 2+2, page 1.
    assert.deepEqual(partial.writeStats().lastBatch, { rowsTouched: 9, incrementalFiles: 1, wholeFiles: 0 });
    // The whole write left the page in the diff cache: the edit read nothing back.
    assert.deepEqual({ hits: partial.writeStats().diffStateCache?.hits, misses: partial.writeStats().diffStateCache?.misses }, { hits: 1, misses: 0 });
  });
});

test("a block moved a few places: the document carries the rows from its new place to its old one, and the move is a diff", async () => {
  await withWriters(async (partial, whole) => {
    const first = await writeBoth(partial, whole, page(50));
    const moved = await writeBoth(partial, whole, page(50, { moveLastTo: 46 }), first.keys);
    assert.deepEqual(moved.ords, [46, 47, 48, 49]);
    assert.deepEqual(partial.writeStats().lastBatch?.incrementalFiles, 1);
    // Moved to the top, past half the blocks: every row.
    const far = await writeBoth(partial, whole, page(50, { moveLastTo: 0 }), moved.keys);
    assert.deepEqual(far.ords, []);
    assert.deepEqual(partial.writeStats().lastBatch?.incrementalFiles, 1);
  });
});

test("keys of a parse that was never written (stale): the rows the document lacks are built from its bytes", async () => {
  await withWriters(async (partial, whole) => {
    await writeBoth(partial, whole, page(50));
    const unwritten = indexWrite(PATH, page(50, { at: 7, text: "never written" }), "big");
    // The edit back to the original text: its block's key is among the unwritten parse's keys.
    const edit = await writeBoth(partial, whole, page(50, { at: 7, text: "written" }), unwritten.keys);
    assert.deepEqual(edit.ords, [7]);
    const back = indexWrite(PATH, page(50, { at: 7, text: "never written" }), "big", unwritten.keys);
    assert.deepEqual(ordsOf(back.doc.blockRows), []);
    await partial.apply({ writes: [back] });
    await whole.apply({ writes: [indexWrite(PATH, page(50, { at: 7, text: "never written" }), "big")] });
    assert.deepEqual(await contentOf(partial.readConnection), await contentOf(whole.readConnection));
  });
});

test("a partial document of a page whose page-level fields changed is written whole, with every row", async () => {
  await withWriters(async (partial, whole) => {
    const first = await writeBoth(partial, whole, page(50));
    const titled = await writeBoth(partial, whole, page(50, { title: "Big Page" }), first.keys);
    // Only the new pre-block (the title) lacked a key.
    assert.deepEqual(titled.ords, [0]);
    assert.deepEqual(partial.writeStats().lastBatch?.wholeFiles, 1);
  });
});
