import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter, type IndexedFileState } from "../../src/index/index-writer.ts";
import { fileStampsFromJson, fileStatesFromJson, type IndexedStamp } from "../../src/index/file-states.ts";
import { indexedDocument } from "../../src/index/indexed-document.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import type { FileRow, FileWrite } from "../../src/index/index-batch.ts";

function indexWrite(file: FileRow, text: string): FileWrite {
  const { doc } = indexedDocument(file.path, text, defaultGraphConfig);
  return { op: "index", file, doc: { ...doc, warnings: [] } };
}

test("the writer's file states and stamps: every files row exactly, the content checksum only where the page disagrees", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-file-states-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    assert.deepEqual(fileStatesFromJson(await writer.fileStatesJson()), []);
    assert.deepEqual(fileStampsFromJson(await writer.fileStampsJson()), []);
    const row = (path: string, checksum: string | null, status: FileRow["status"], error: string | null, idSeed: string | null): FileRow =>
      ({ path, size: 12, mtime: 1700000000123, checksum, status, error, idSeed });
    await writer.apply({
      writes: [
        indexWrite(row("pages/agrees.md", "c1", "indexed", null, "agrees"), "- one\n"),
        indexWrite(row("pages/edited.md", "c2", "warning", "bad UTF-8 replaced", "edited"), "- two\n"),
        indexWrite(row("pages/pageless.md", "c3", "indexed", null, "pageless"), "- three\n"),
        { op: "metadata", file: row("assets/big.md", null, "skipped", "too large", null) },
      ],
    });
    // Disagreeing rows as a crash or an older version could leave them (see contentDisagrees).
    await writer.connection.run(`UPDATE pages SET checksum = 'older' WHERE path = 'pages/edited.md'`);
    await writer.connection.run(`DELETE FROM pages WHERE path = 'pages/pageless.md'`);
    const states = fileStatesFromJson(await writer.fileStatesJson()).sort((a, b) => a.path.localeCompare(b.path));
    const expected: IndexedFileState[] = [
      { path: "assets/big.md", size: 12, mtime: 1700000000123, checksum: null, status: "skipped", error: "too large", idSeed: null },
      { path: "pages/agrees.md", size: 12, mtime: 1700000000123, checksum: "c1", status: "indexed", error: null, idSeed: "agrees" },
      { path: "pages/edited.md", size: 12, mtime: 1700000000123, checksum: "c2", status: "warning", error: "bad UTF-8 replaced", idSeed: "edited", contentChecksum: "older" },
      { path: "pages/pageless.md", size: 12, mtime: 1700000000123, checksum: "c3", status: "indexed", error: null, idSeed: "pageless", contentChecksum: null },
    ];
    assert.deepEqual(states, expected);
    // The rows of some paths only (a path with no row is left out).
    assert.deepEqual(fileStatesFromJson(await writer.fileStatesJson(["pages/edited.md", "pages/none.md", "assets/big.md"])).sort((a, b) => a.path.localeCompare(b.path)),
      [expected[0], expected[2]]);
    assert.deepEqual(fileStatesFromJson(await writer.fileStatesJson([])), []);
    // The stamps: what decides which files a sync reads. A skipped row with no page is no disagreement.
    const stamps = fileStampsFromJson(await writer.fileStampsJson()).sort((a, b) => a.path.localeCompare(b.path));
    const stamp = (state: IndexedFileState, disagrees: boolean): IndexedStamp =>
      ({ path: state.path, size: state.size, mtime: state.mtime, status: state.status, error: state.error, disagrees });
    assert.deepEqual(stamps, [
      stamp(expected[0] as IndexedFileState, false),
      stamp(expected[1] as IndexedFileState, false),
      stamp(expected[2] as IndexedFileState, true),
      stamp(expected[3] as IndexedFileState, true),
    ]);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the file reads at a start leave DuckDB the threads it had: a bulk load's fewer threads stay fewer", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-file-states-threads-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig, { threads: 2, memoryLimitMb: 128 });
  const threads = async () => Number((await writer.connection.runAndReadAll(`SELECT current_setting('threads')`)).getRows()[0]?.[0]);
  try {
    await writer.fileStampsJson();
    await writer.fileStatesJson();
    assert.equal(await threads(), 2);
    // A full re-index: the bulk load takes a core from DuckDB, then the session reads every row.
    await writer.startBulkLoad({ threads: 1 });
    await writer.fileStatesJson();
    await writer.fileStampsJson();
    assert.equal(await threads(), 1);
    await writer.clusterPostings();
    assert.equal(await threads(), 2);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
