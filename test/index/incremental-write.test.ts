import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { readTreeBlocks } from "../../src/index/page-tree.ts";
import { contentOf, indexWrite, parserTreeOf } from "../support/index-writes.ts";
import { indexedDocument } from "../../src/index/indexed-document.ts";

const PATH = "pages/big.md";

function bigPage(n: number, edit?: { at: number; text: string }): string {
  let text = "";
  for (let i = 0; i < n; i++) text += `- ${edit?.at === i ? edit.text : `entry${i} common`}\n`;
  return text;
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "incr-write-"));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function keysById(writer: IndexWriter): Promise<Map<string, string>> {
  const reader = await writer.readConnection.runAndReadAll(`SELECT id, key::VARCHAR FROM blocks WHERE path = '${PATH}'`);
  return new Map(reader.getRows().map((row) => [row[0] as string, row[1] as string]));
}

test("a one-block edit in a 5,000-block page touches 11 rows (files 2, blocks 2, postings 2+4, page 1) and leaves the same tables as a whole rewrite", async () => {
  await withDir(async (dir) => {
    const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
    try {
      for (const writer of [incremental, whole]) await writer.apply({ writes: [indexWrite(PATH, bigPage(5000))] });
      const edited = indexWrite(PATH, bigPage(5000, { at: 2500, text: "entry2500 common plus two" }), "big");
      for (const writer of [incremental, whole]) await writer.apply({ writes: [edited] });
      // Old block: 2 postings (entry2500, common) out; new block: 4 in (entry2500, common, plus, two).
      assert.deepEqual(incremental.writeStats().lastBatch, { rowsTouched: 11, incrementalFiles: 1, wholeFiles: 0 });
      assert.deepEqual(whole.writeStats().lastBatch?.wholeFiles, 1);
      assert.ok((whole.writeStats().lastBatch?.rowsTouched ?? 0) > 20_000);
      assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
      assert.deepEqual(await parserTreeOf(incremental.readConnection, PATH), await parserTreeOf(whole.readConnection, PATH));
    } finally {
      incremental.close();
      whole.close();
    }
  });
});

test("an edit removing 1,200 blocks of a 3,000-block page (more gone keys than a statement names inline) leaves the same tables as a whole rewrite", async () => {
  await withDir(async (dir) => {
    const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
    try {
      for (const writer of [incremental, whole]) await writer.apply({ writes: [indexWrite(PATH, bigPage(3000))] });
      const text = bigPage(3000).split("\n").filter((_, i) => i < 900 || i >= 2100).join("\n");
      for (const writer of [incremental, whole]) await writer.apply({ writes: [indexWrite(PATH, text, "big")] });
      assert.equal(incremental.writeStats().lastBatch?.incrementalFiles, 1);
      assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
    } finally {
      incremental.close();
      whole.close();
    }
  });
});

test("a page-level change of a page the diff cache holds (written whole, 1,200 blocks) rewrites the file whole", async () => {
  await withDir(async (dir) => {
    const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
    try {
      for (const writer of [incremental, whole]) await writer.apply({ writes: [indexWrite(PATH, `tags:: one\n\n${bigPage(1200)}`)] });
      assert.equal(incremental.writeStats().diffStateCache?.entries, 1);
      const retagged = indexWrite(PATH, `tags:: two\n\n${bigPage(1200)}`, "big");
      for (const writer of [incremental, whole]) await writer.apply({ writes: [retagged] });
      assert.deepEqual(incremental.writeStats().lastBatch, { ...incremental.writeStats().lastBatch, incrementalFiles: 0, wholeFiles: 1 });
      assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
    } finally {
      incremental.close();
      whole.close();
    }
  });
});

test("blocks an edit leaves alone keep their rows (keys) across the edit and a restart; the edited one is written anew", async () => {
  await withDir(async (dir) => {
    const database = join(dir, "index.duckdb");
    let writer = await IndexWriter.open(database, defaultGraphConfig);
    try {
      await writer.apply({ writes: [indexWrite(PATH, bigPage(40))] });
      const before = await keysById(writer);
      await writer.apply({ writes: [indexWrite(PATH, bigPage(40, { at: 0, text: "a new first line" }), "big")] });
      writer.close();
      writer = await IndexWriter.open(database, defaultGraphConfig);
      await writer.apply({ writes: [indexWrite(PATH, bigPage(40, { at: 0, text: "a newer first line" }), "big")] });
      assert.deepEqual(writer.writeStats().lastBatch, { rowsTouched: 2 + 2 + 4 + 4 + 1, incrementalFiles: 1, wholeFiles: 0 });
      const after = await keysById(writer);
      assert.equal(after.size, 40);
      let kept = 0;
      for (const [id, key] of before) if (after.get(id) === key) kept++;
      assert.equal(kept, 39);
      const tree = await readTreeBlocks(writer.readConnection, PATH);
      assert.deepEqual(tree.slice(0, 2).map((b) => b.content), ["a newer first line", "entry1 common"]);
    } finally {
      writer.close();
    }
  });
});

test("a forced write (whole) and a page-level change rewrite the whole file", async () => {
  await withDir(async (dir) => {
    const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
    try {
      await writer.apply({ writes: [indexWrite(PATH, bigPage(10))] });
      await writer.apply({ writes: [{ ...indexWrite(PATH, bigPage(10, { at: 3, text: "x" }), "big"), whole: true }] });
      assert.deepEqual(writer.writeStats().lastBatch?.wholeFiles, 1);
      await writer.apply({ writes: [indexWrite(PATH, "alias:: other\n\n" + bigPage(10, { at: 3, text: "x" }), "big")] });
      assert.deepEqual(writer.writeStats().lastBatch?.wholeFiles, 1);
      await writer.apply({ writes: [indexWrite(PATH, "alias:: other\n\n" + bigPage(10, { at: 4, text: "y" }), "big")] });
      assert.deepEqual(writer.writeStats().lastBatch?.incrementalFiles, 1);
      assert.deepEqual(writer.writeStats().total, { rowsTouched: writer.writeStats().total.rowsTouched, incrementalFiles: 1, wholeFiles: 3, batches: 4 });
    } finally {
      writer.close();
    }
  });
});

test("the diff's cache of recently changed files stays within its bound, evicting the least recently used; a hit reads no blocks back", async () => {
  await withDir(async (dir) => {
    const maxBytes = 70_000;
    const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, diffStateMaxBytes: maxBytes });
    const page = (i: number, round: number) => bigPage(40, { at: round % 40, text: `round${round} of page${i}` });
    try {
      const files = Array.from({ length: 12 }, (_, i) => `pages/p${i}.md`);
      await writer.apply({ writes: files.map((path, i) => indexWrite(path, page(i, 0))) });
      for (let round = 1; round <= 4; round++) {
        for (const [i, path] of files.entries()) {
          await writer.apply({ writes: [indexWrite(path, page(i, round), `p${i}`)] });
          const cache = writer.writeStats().diffStateCache;
          assert.ok(cache !== undefined && cache.sizeBytes <= maxBytes, `cache ${JSON.stringify(cache)} over its bound`);
        }
      }
      // 12 files of 40 blocks (about 17 KB each, ids included) do not fit: every diff misses, reads back, and the cache keeps the last 4.
      assert.deepEqual(writer.writeStats().diffStateCache, { entries: 4, sizeBytes: writer.writeStats().diffStateCache?.sizeBytes, maxBytes, hits: 0, misses: 48 });
      // The 4 most recent files hit.
      for (const [i, path] of files.slice(8).entries()) await writer.apply({ writes: [indexWrite(path, page(i + 8, 5), `p${i + 8}`)] });
      assert.equal(writer.writeStats().diffStateCache?.hits, 4);
      assert.equal(writer.writeStats().total.incrementalFiles, 52);
    } finally {
      writer.close();
    }
  });
});

test("an incremental edit of a file whose page name clashes keeps the clash warning on its files row, as a whole rewrite does", async () => {
  await withDir(async (dir) => {
    const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
    try {
      const first = [indexWrite("pages/Foo.md", bigPage(10)), indexWrite("pages/foo.md", bigPage(10))];
      for (const writer of [incremental, whole]) await writer.apply({ writes: first });
      const edit = indexWrite("pages/foo.md", bigPage(10, { at: 4, text: "edited" }), "foo");
      for (const writer of [incremental, whole]) await writer.apply({ writes: [edit] });
      assert.equal(incremental.writeStats().lastBatch?.incrementalFiles, 1);
      const status = await incremental.readConnection.runAndReadAll(`SELECT status FROM files WHERE path = 'pages/foo.md'`);
      assert.deepEqual(status.getRows(), [["warning"]]);
      assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
    } finally {
      incremental.close();
      whole.close();
    }
  });
});

test("edits of a block whose id:: keeps its id are written, from the cache as from the index", async () => {
  await withDir(async (dir) => {
    const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
    try {
      const text = (words: string) => `${bigPage(6)}- ${words}\n  id:: 66a0c3e2-0000-4000-8000-00000000000a\n${bigPage(6)}`;
      for (const [i, words] of ["first words", "second words", "third words", "fourth words"].entries()) {
        for (const writer of [incremental, whole]) await writer.apply({ writes: [indexWrite(PATH, text(words), i === 0 ? undefined : "big")] });
        assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection), `write ${i}`);
      }
      assert.deepEqual(incremental.writeStats().total.incrementalFiles, 3);
      assert.deepEqual(incremental.writeStats().diffStateCache?.hits, 2);
    } finally {
      incremental.close();
      whole.close();
    }
  });
});

test("a document built to be written whole (no block outline) over an indexed page of that path is written whole, to the same tables", async () => {
  await withDir(async (dir) => {
    const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
    const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
    try {
      for (const writer of [incremental, whole]) await writer.apply({ writes: [indexWrite(PATH, bigPage(300))] });
      // As the parse worker builds a new file's document (readAndParse): the path was indexed meanwhile.
      const text = bigPage(300, { at: 150, text: "entry150 changed" });
      const edited = indexWrite(PATH, text, "big");
      const bare = { ...edited, doc: indexedDocument(PATH, text, defaultGraphConfig, { idSeed: "big", whole: true }).doc };
      assert.equal(bare.doc.outline, undefined);
      await incremental.apply({ writes: [bare] });
      await whole.apply({ writes: [edited] });
      assert.deepEqual(incremental.writeStats().lastBatch, whole.writeStats().lastBatch, "written whole");
      assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
    } finally {
      incremental.close();
      whole.close();
    }
  });
});
