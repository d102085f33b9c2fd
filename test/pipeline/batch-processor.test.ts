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

test("BatchProcessor: a window that ends while the writer is busy lets the batch grow until the writer is free (group commit)", async () => {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const called: (() => void)[] = [];
  const writeCalled = () => new Promise<void>((resolve) => called.push(resolve));
  const processor = new BatchProcessor({
    maxFiles: 100,
    maxBlocks: 100_000,
    windowMs: 5,
    maxInFlight: 4,
    write: (batch: IndexBatch) => {
      batches.push(batch.writes.map((w) => (w.op === "metadata" ? w.file.path : "?")));
      called.shift()?.();
      return new Promise<BatchResult>((resolve) => releases.push(() => resolve(RESULT)));
    },
  });
  const first = writeCalled();
  await processor.add({ op: "metadata", file: row("a.md", 1) });
  await first; // the writer was idle: the window sent `a` alone
  assert.deepEqual(batches, [["a.md"]]);
  for (const path of ["b.md", "c.md", "d.md"]) await processor.add({ op: "metadata", file: row(path, 1) });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(batches, [["a.md"]], "the window ended, but the writer is busy: the batch waits and grows");
  await processor.add({ op: "metadata", file: row("e.md", 1) });
  const second = writeCalled();
  releases.shift()?.();
  await second;
  assert.deepEqual(batches, [["a.md"], ["b.md", "c.md", "d.md", "e.md"]]);
  releases.shift()?.();
  await processor.flush();
  assert.deepEqual(batches, [["a.md"], ["b.md", "c.md", "d.md", "e.md"]]);
});

test("BatchProcessor: a full batch goes at once, even while the writer is busy", async () => {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const processor = new BatchProcessor({
    maxFiles: 2,
    maxBlocks: 100_000,
    windowMs: 60_000,
    maxInFlight: 4,
    write: (batch: IndexBatch) => {
      batches.push(batch.writes.map((w) => (w.op === "metadata" ? w.file.path : "?")));
      return new Promise<BatchResult>((resolve) => releases.push(() => resolve(RESULT)));
    },
  });
  for (const path of ["a.md", "b.md", "c.md", "d.md", "e.md"]) await processor.add({ op: "metadata", file: row(path, 1) });
  assert.deepEqual(batches, [["a.md", "b.md"], ["c.md", "d.md"]]);
  const flushed = processor.flush();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [["a.md", "b.md"], ["c.md", "d.md"], ["e.md"]], "flush sends the rest without waiting");
  for (const release of releases) release();
  await flushed;
});

test("BatchProcessor: while more writes are coming, an idle writer gets batches of half the limits, not one per window", { timeout: 10_000 }, async () => {
  const batches: string[][] = [];
  let more = true;
  const processor = new BatchProcessor({
    maxFiles: 4,
    maxBlocks: 100_000,
    windowMs: 5,
    maxInFlight: 4,
    moreComing: () => more,
    write: async (batch: IndexBatch) => {
      batches.push(batch.writes.map((w) => (w.op === "metadata" ? w.file.path : "?")));
      return RESULT;
    },
  });
  const windows = () => new Promise((resolve) => setTimeout(resolve, 40));
  await processor.add({ op: "metadata", file: row("a.md", 1) });
  await windows();
  assert.deepEqual(batches, [], "the window ended with the writer idle, but more is coming: the batch waits to fill");
  await processor.add({ op: "metadata", file: row("b.md", 1) });
  assert.deepEqual(batches, [], "half the limits, but sent at a window's end, not at once");
  await windows();
  assert.deepEqual(batches, [["a.md", "b.md"]], "half the limits: the next window sends it");
  for (const path of ["c.md", "d.md", "e.md", "f.md"]) await processor.add({ op: "metadata", file: row(path, 1) });
  assert.deepEqual(batches, [["a.md", "b.md"], ["c.md", "d.md", "e.md", "f.md"]], "full: sent at once");
  await processor.add({ op: "metadata", file: row("g.md", 1) });
  await windows();
  assert.equal(batches.length, 2, "one write held while more is coming");
  more = false;
  await windows();
  assert.deepEqual(batches, [["a.md", "b.md"], ["c.md", "d.md", "e.md", "f.md"], ["g.md"]], "nothing more coming: a later window sends it, with no add to wake it");
  await processor.flush();
});

/**
 * A processor fed by a catch-up (more is always coming), windows of 5 ms,
 * whose batches commit only when the test releases them; `batches` lists
 * each batch's paths (with `@mtime` when `mtimes`), `windows` waits out a few.
 */
function catchUpWriter(maxFiles: number, mtimes = false) {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const processor = new BatchProcessor({
    maxFiles,
    maxBlocks: 100_000,
    windowMs: 5,
    maxInFlight: 4,
    moreComing: () => true,
    write: (batch: IndexBatch) => {
      batches.push(batch.writes.map((w) => (w.op === "metadata" ? (mtimes ? `${w.file.path}@${w.file.mtime}` : w.file.path) : "?")));
      return new Promise<BatchResult>((resolve) => releases.push(() => resolve(RESULT)));
    },
  });
  const windows = () => new Promise((resolve) => setTimeout(resolve, 40));
  return { batches, releases, processor, windows };
}

test("BatchProcessor: an edit made while a catch-up fills a batch goes alone at its window's end, and a free writer waits for half the limits", { timeout: 10_000 }, async () => {
  const { batches, releases, processor, windows } = catchUpWriter(6);
  await processor.add({ op: "metadata", file: row("a.md", 1) });
  await processor.add({ op: "metadata", file: row("edit.md", 1) }, { urgent: true });
  assert.equal(processor.pending, 2);
  await windows();
  assert.deepEqual(batches, [["edit.md"]], "the edit does not wait for the catch-up to fill a batch, nor goes with it");
  // The catch-up's batch: 2 of 6 files once the writer is free, held while more is coming.
  await processor.add({ op: "metadata", file: row("b.md", 1) });
  await windows();
  releases.shift()?.();
  await windows();
  assert.deepEqual(batches, [["edit.md"]], "the writer is free, but 2 of 6 files are not worth a batch while more is coming");
  await processor.add({ op: "metadata", file: row("c.md", 1) });
  await windows();
  assert.deepEqual(batches, [["edit.md"], ["a.md", "b.md", "c.md"]], "half the limits: sent");
  releases.shift()?.();
  await processor.flush();
});

test("BatchProcessor: an edit's own batch keeps each path's writes in order, and goes while the writer is busy", { timeout: 10_000 }, async () => {
  const { batches, releases, processor, windows } = catchUpWriter(100, true);
  await processor.add({ op: "metadata", file: row("x.md", 1) });
  await processor.add({ op: "metadata", file: row("e.md", 1) }, { urgent: true });
  assert.deepEqual(batches, [], "the edit waits for its window");
  // A later write of the edit's path goes after the edit's batch, which therefore goes first, at once.
  await processor.add({ op: "metadata", file: row("e.md", 2) });
  assert.deepEqual(batches, [["e.md@1"]]);
  // An edit of a path the filling batch holds: that batch goes first, the edit after it. The catch-up's
  // writes then join the edit's batch, which goes at its window's end although two batches are in flight.
  await processor.add({ op: "metadata", file: row("x.md", 3) }, { urgent: true });
  assert.deepEqual(batches, [["e.md@1"], ["x.md@1", "e.md@2"]]);
  await processor.add({ op: "metadata", file: row("y.md", 4) });
  await windows();
  assert.deepEqual(batches, [["e.md@1"], ["x.md@1", "e.md@2"], ["x.md@3", "y.md@4"]]);
  for (const release of releases.splice(0)) release();
  await processor.flush();
});

test("BatchProcessor: a burst of edits alone keeps filling its batch while the writer is busy (group commit)", { timeout: 10_000 }, async () => {
  const { batches, releases, processor, windows } = catchUpWriter(100);
  await processor.add({ op: "metadata", file: row("a.md", 1) }, { now: true });
  assert.deepEqual(batches, [["a.md"]]);
  for (const path of ["b.md", "c.md"]) await processor.add({ op: "metadata", file: row(path, 1) }, { urgent: true });
  await windows();
  await processor.add({ op: "metadata", file: row("d.md", 1) }, { urgent: true });
  await windows();
  assert.deepEqual(batches, [["a.md"]], "the writer is busy: the edits wait for it together");
  releases.shift()?.();
  await windows();
  assert.deepEqual(batches, [["a.md"], ["b.md", "c.md", "d.md"]]);
  releases.shift()?.();
  await processor.flush();
});

test("BatchProcessor: each transaction gets its own SyncBatchId, a retry one write at a time too", async () => {
  const committed: { paths: string[]; batchId: string }[] = [];
  const failed: { path: string; batchId: string }[] = [];
  const processor = new BatchProcessor({
    maxFiles: 2,
    maxBlocks: 100_000,
    windowMs: 10_000,
    maxInFlight: 4,
    write: async (batch: IndexBatch) => {
      if (batch.writes.some((w) => w.op === "metadata" && w.file.path === "bad.md")) throw new Error("constraint");
      return RESULT;
    },
    onCommitted: (writes, _result, batchId) => committed.push({ paths: writes.map((w) => (w.op === "delete" ? w.path : w.file.path)), batchId }),
    onFailed: (write, _error, _recorded, batchId) => failed.push({ path: write.op === "delete" ? write.path : write.file.path, batchId }),
  });
  for (const path of ["a.md", "b.md", "c.md", "bad.md"]) await processor.add({ op: "metadata", file: row(path, 1) });
  await processor.flush();
  assert.deepEqual(committed.map((c) => c.paths), [["a.md", "b.md"], ["c.md"]]);
  assert.deepEqual(failed.map((f) => f.path), ["bad.md"]);
  const ids = [...committed.map((c) => c.batchId), ...failed.map((f) => f.batchId)];
  assert.equal(new Set(ids).size, 3, `ids: ${ids.join(", ")}`);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}$/);
});

/** A processor whose writes commit only when the test releases them; `log` records commits. */
function heldWriter(maxFiles: number) {
  const log: string[] = [];
  const releases: (() => void)[] = [];
  const processor = new BatchProcessor({
    maxFiles,
    maxBlocks: 100_000,
    windowMs: 60_000,
    maxInFlight: 4,
    write: () => new Promise<BatchResult>((resolve) => releases.push(() => resolve(RESULT))),
    onCommitted: (writes) => log.push(`committed ${writes.map((w) => (w.op === "metadata" ? w.file.path : "?")).join(",")}`),
  });
  return { processor, log, releases };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test("BatchProcessor: liveWritten waits for the batch holding a live edit to commit", { timeout: 10_000 }, async () => {
  const { processor, log, releases } = heldWriter(100);
  await processor.add({ op: "metadata", file: row("a.md", 1) });
  await processor.liveWritten(60_000); // nothing is being written: at once
  await processor.add({ op: "metadata", file: row("b.md", 1) }, { now: true });
  assert.equal(releases.length, 1, "the live edit went at once, alone: a.md (a scan's, say) waits for its window");
  const search = processor.liveWritten(60_000).then(() => log.push("search"));
  await turn();
  assert.deepEqual(log, []);
  releases.shift()?.();
  await search;
  assert.deepEqual(log, ["committed b.md", "search"]);
  const flushed = processor.flush();
  await turn();
  releases.shift()?.();
  await flushed;
  assert.deepEqual(log, ["committed b.md", "search", "committed a.md"]);
});

test("BatchProcessor: liveWritten never waits for a batch without a live edit (catch-up)", { timeout: 10_000 }, async () => {
  const { processor, log, releases } = heldWriter(1);
  await processor.add({ op: "metadata", file: row("a.md", 1) });
  assert.equal(releases.length, 1, "a full batch is being written");
  await processor.liveWritten(60_000).then(() => log.push("search"));
  assert.deepEqual(log, ["search"]);
  releases.shift()?.();
  await processor.flush();
  assert.deepEqual(log, ["search", "committed a.md"]);
});

test("BatchProcessor: liveWritten stops waiting after maxWaitMs when the live edit is still being written", { timeout: 10_000 }, async () => {
  const { processor, log, releases } = heldWriter(100);
  await processor.add({ op: "metadata", file: row("a.md", 1) }, { now: true });
  await processor.liveWritten(5).then(() => log.push("search"));
  assert.deepEqual(log, ["search"]);
  releases.shift()?.();
  await processor.flush();
  assert.deepEqual(log, ["search", "committed a.md"]);
});

test("BatchProcessor: pending counts writes until their batch is committed, not only until it is sent", async () => {
  let commit: (() => void) | undefined;
  const processor = new BatchProcessor({
    maxFiles: 2,
    maxBlocks: 100_000,
    windowMs: 10_000,
    maxInFlight: 4,
    write: () => new Promise<BatchResult>((resolve) => (commit = () => resolve(RESULT))),
  });
  await processor.add({ op: "delete", path: "a.md" });
  assert.equal(processor.pending, 1, "in the batch being filled");
  await processor.add({ op: "delete", path: "b.md" });
  assert.ok(commit, "a full batch is sent at once");
  assert.equal(processor.pending, 2, "sent, being written");
  await processor.add({ op: "delete", path: "c.md" });
  assert.equal(processor.pending, 3);
  commit();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(processor.pending, 1, "committed: only the batch being filled");
});
