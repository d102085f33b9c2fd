import assert from "node:assert/strict";
import { test } from "node:test";
import type { BatchResult, FileRow, FileWrite, IndexBatch } from "../../src/index/index-batch.ts";
import { BatchProcessor } from "../../src/pipeline/batch-processor.ts";

const RESULT: BatchResult = { indexed: 0, deleted: 0, renamed: 0, metadata: 0, blocks: 0, pageNameClashes: [] };

function row(path: string, mtime: number): FileRow {
  return { path, size: 1, mtime, checksum: `c${mtime}`, status: "indexed", error: null, idSeed: null };
}

/** Paths of each batch handed to the writer, in order. */
async function batchesOf(writes: FileWrite[]): Promise<string[][]> {
  const batches: string[][] = [];
  const processor = new BatchProcessor({
    maxFiles: 100,
    maxBlocks: 100_000,
    windowMs: 10_000,
    maxInFlight: 4,
    write: async (batch: IndexBatch) => {
      batches.push(batch.writes.map((w) => (w.op === "delete" ? `delete ${w.path}` : w.op === "rename" ? `rename ${w.from}>${w.file.path}` : `${w.op} ${w.file.path}`)));
      return RESULT;
    },
  });
  for (const write of writes) await processor.add(write);
  await processor.flush();
  return batches;
}

test("BatchProcessor: a second write of a path goes into the next batch, in order", async () => {
  assert.deepEqual(
    await batchesOf([
      { op: "metadata", file: row("a.md", 1) },
      { op: "metadata", file: row("b.md", 1) },
      { op: "metadata", file: row("a.md", 2) },
      { op: "metadata", file: row("c.md", 1) },
      { op: "delete", path: "c.md" },
      { op: "rename", from: "b.md", file: row("d.md", 1) },
    ]),
    [
      ["metadata a.md", "metadata b.md"],
      ["metadata a.md", "metadata c.md"],
      ["delete c.md", "rename b.md>d.md"],
    ],
  );
});

test("BatchProcessor: writes of different paths share one batch", async () => {
  assert.deepEqual(
    await batchesOf([{ op: "metadata", file: row("a.md", 1) }, { op: "delete", path: "b.md" }, { op: "rename", from: "c.md", file: row("d.md", 1) }]),
    [["metadata a.md", "delete b.md", "rename c.md>d.md"]],
  );
});
