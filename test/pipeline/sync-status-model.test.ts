import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bulkheadLoad, INDEX_WRITE_FAILED, indexCountsReader, type PendingOperations, SyncStatusModel, type SyncStatusProbe,
} from "../../src/pipeline/sync-status-model.ts";

const NOTHING: PendingOperations = { create: 0, update: 0, delete: 0, inFlight: 0, settling: 0, heldDeletes: 0, dirtyFolders: 0, scans: 0, batched: 0 };

/** A probe whose counters the test sets, and a clock it moves. */
function setup() {
  const live = { phase: "caughtUp" as ReturnType<SyncStatusProbe["phase"]>, paused: false, pending: { ...NOTHING } };
  let now = 1_000_000;
  const probe: SyncStatusProbe = {
    phase: () => live.phase,
    paused: () => live.paused,
    pending: () => live.pending,
    bulkheads: () => ({ hashing: bulkheadLoad(5, 2), parsing: bulkheadLoad(1, 2), writing: bulkheadLoad(0, 1) }),
  };
  const model = new SyncStatusModel(probe, { now: () => now });
  return { live, model, advance: (ms: number) => (now += ms) };
}

test("SyncStatusModel: the state follows the rule order paused > catchingUp > degraded > watching > idle", () => {
  const { live, model } = setup();
  assert.equal(model.snapshot().state, "idle");
  live.pending = { ...NOTHING, settling: 1 };
  assert.equal(model.snapshot().state, "watching");
  model.apply({ type: "FileSyncFailed", path: "a.md", status: "failed", reason: `${INDEX_WRITE_FAILED}: disk full`, batchId: "b1" });
  assert.deepEqual([model.snapshot().state, model.snapshot().degradedReasons], ["degraded", ["the latest index write failed"]]);
  live.phase = "catchingUp";
  assert.equal(model.snapshot().state, "catchingUp");
  live.paused = true;
  assert.equal(model.snapshot().state, "paused");
  live.paused = false;
  live.phase = "caughtUp";
  // A later commit clears the write failure.
  model.apply({ type: "FileIndexed", path: "b.md", blocks: 1, warnings: [], change: "create", batchId: "b2" });
  assert.equal(model.snapshot().state, "watching");
  live.pending = { ...NOTHING };
  assert.equal(model.snapshot().state, "idle");
});

test("SyncStatusModel: a watcher error degrades for a minute", () => {
  const { model, advance } = setup();
  model.watcherFailed();
  advance(59_000);
  assert.deepEqual(model.snapshot().degradedReasons, ["the watcher reported an error 59 s ago; a full rescan is queued"]);
  advance(1_000);
  assert.equal(model.snapshot().state, "idle");
});

test("SyncStatusModel: totals, batches, failures and throughput over the last minute", () => {
  const { model, advance } = setup();
  model.apply({ type: "FileIndexed", path: "a.md", blocks: 1, warnings: [], change: "create", batchId: "b1" });
  model.apply({ type: "FileIndexed", path: "b.md", blocks: 1, warnings: [], change: "update", batchId: "b1" });
  model.apply({ type: "FileChanged", path: "c.md", change: "delete", batchId: "b1" });
  advance(10_000);
  model.apply({ type: "FileChanged", path: "e.md", change: "rename", from: "d.md", batchId: "b2" });
  model.apply({ type: "FileSyncFailed", path: "f.md", status: "skipped", reason: "too large", batchId: "b2" });
  model.apply({ type: "ConflictDetected", id: 1, conflict: "pageNameClash", strategy: "filesystem", status: "resolved", name: "p", paths: ["x.md", "y.md"], batchId: "b2" });
  for (let i = 0; i < 58; i++) model.apply({ type: "FileIndexed", path: `n${i}.md`, blocks: 1, warnings: [], change: "create", batchId: "b3" });
  const s = model.snapshot();
  assert.deepEqual(s.totals, { created: 59, updated: 1, deleted: 1, renamed: 1, failed: 0, skipped: 1, conflicts: 1, batches: 3 });
  assert.equal(s.failedFiles, 1);
  assert.deepEqual(s.recentFailures, [{ path: "f.md", status: "skipped", reason: "too large", at: new Date(1_010_000).toISOString(), batchId: "b2" }]);
  assert.equal(s.lastSyncAt, new Date(1_010_000).toISOString());
  // 63 files finished in the 10 s since start.
  assert.deepEqual(s.throughput, { filesPerSecond: 6.3, windowSeconds: 10 });
  assert.deepEqual(s.bulkheads.hashing, { inFlight: 2, queueDepth: 3 });
  // 55 s later the first three are out of the minute (63/60 would round to 1.1): 60 in the last 60 s.
  advance(55_000);
  assert.deepEqual(model.snapshot().throughput, { filesPerSecond: 1, windowSeconds: 60 });
  advance(60_000);
  assert.deepEqual(model.snapshot().throughput, { filesPerSecond: 0, windowSeconds: 60 });
});

test("indexCountsReader: the first call waits; later ones take the latest counts when the read is slow", async () => {
  let release: (value: number) => void = () => {};
  let reads = 0;
  const read = () => {
    reads++;
    return reads === 1 ? Promise.resolve(1) : new Promise<number>((resolve) => (release = resolve));
  };
  const counts = indexCountsReader(read);
  assert.deepEqual(await counts(), { status: 1, ageMs: 0 });
  const started = Date.now();
  const stale = await counts();
  assert.equal(stale.status, 1);
  assert.ok(Date.now() - started < 2000);
  assert.equal(reads, 2);
  await counts(); // one read at a time: no second read while the first is slow
  assert.equal(reads, 2);
  release(2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual((await counts()).status, 2);
});
