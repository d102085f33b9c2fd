import { test } from "node:test";
import assert from "node:assert/strict";
import type { SyncEventKind } from "../../src/pipeline/sync-event.ts";
import { parentFolder, prefixCovers, QueueFull, type SyncTask, SyncTaskQueue } from "../../src/pipeline/sync-task-queue.ts";

const task = (path: string, priority = 0, kind: SyncEventKind = "update", at = 0): SyncTask => ({ path, kind, priority, at });

function drainAll(queue: SyncTaskQueue): string[] {
  const taken: string[] = [];
  for (let t = queue.take(); t; t = queue.take()) {
    taken.push(t.path);
    queue.done(t.path);
  }
  return taken;
}

test("take returns the highest priority first, ties in push order", () => {
  const queue = new SyncTaskQueue({ maxSize: 10 });
  queue.push(task("a.md", 1));
  queue.push(task("b.md", 5));
  queue.push(task("c.md", 1));
  queue.push(task("d.md", 3));
  queue.push(task("e.md", 5));
  assert.deepEqual(drainAll(queue), ["b.md", "e.md", "d.md", "a.md", "c.md"]);
  assert.equal(queue.take(), undefined);
});

test("a newer event for a queued path folds into it: net kind, higher priority, older at, original place", () => {
  const queue = new SyncTaskQueue({ maxSize: 10 });
  queue.push(task("a.md", 2, "create", 10));
  queue.push(task("b.md", 2, "update", 20));
  queue.push(task("c.md", 1, "delete", 30));
  queue.push(task("a.md", 1, "update", 40)); // lower priority: keeps 2 and its place before b
  queue.push(task("c.md", 9, "create", 50)); // delete+create: the file changed
  assert.equal(queue.size, 3);
  assert.deepEqual(queue.take(), { path: "c.md", kind: "update", priority: 9, at: 30 });
  assert.deepEqual(queue.take(), { path: "a.md", kind: "create", priority: 2, at: 10 });
  assert.deepEqual(queue.take(), { path: "b.md", kind: "update", priority: 2, at: 20 });
});

test("a queued create then delete stays queued as a delete", () => {
  const queue = new SyncTaskQueue({ maxSize: 10 });
  queue.push(task("a.md", 1, "create"));
  queue.push(task("a.md", 1, "delete"));
  assert.deepEqual(queue.take(), task("a.md", 1, "delete"));
});

test("one task per path in flight; an event arriving meanwhile becomes takeable on done", () => {
  const queue = new SyncTaskQueue({ maxSize: 10 });
  queue.push(task("a.md", 1));
  queue.push(task("b.md", 0));
  assert.equal(queue.take()?.path, "a.md");
  queue.push(task("a.md", 7, "delete", 5));
  queue.push(task("a.md", 3, "create", 6));
  assert.equal(queue.size, 2);
  assert.equal(queue.inFlightCount, 1);
  assert.equal(queue.take()?.path, "b.md");
  assert.equal(queue.take(), undefined); // a.md waits for its in-flight task
  queue.done("a.md");
  assert.deepEqual(queue.take(), { path: "a.md", kind: "update", priority: 7, at: 5 });
  queue.done("a.md");
  queue.done("b.md");
  assert.equal(queue.inFlightCount, 0);
  assert.equal(queue.size, 0);
  assert.throws(() => queue.done("a.md"), RangeError);
});

test("filling the queue: needsDrain at the bound, QueueFull for new paths, drain when empty", () => {
  const queue = new SyncTaskQueue({ maxSize: 3 });
  const events: string[] = [];
  queue.on("needsDrain", () => events.push(`needsDrain@${queue.size}`));
  queue.on("drain", () => events.push(`drain@${queue.size}`));
  queue.push(task("a.md"));
  queue.push(task("b.md"));
  assert.equal(queue.needsDrain, false);
  queue.push(task("c.md"));
  assert.deepEqual(events, ["needsDrain@3"]);
  assert.equal(queue.needsDrain, true);

  assert.throws(() => queue.push(task("d.md")), (e: unknown) => {
    assert.ok(e instanceof QueueFull);
    assert.equal(e.code, "QUEUE_FULL");
    assert.equal(e.name, "QueueFull");
    assert.equal(e.maxSize, 3);
    assert.equal(e.message, 'sync task queue is full (maxSize 3); cannot queue "d.md"');
    return true;
  });
  assert.equal(queue.tryPush(task("d.md")), false);
  queue.push(task("b.md", 9)); // an already-queued path still folds in
  assert.equal(queue.size, 3);
  assert.deepEqual(events, ["needsDrain@3"]);

  assert.equal(queue.take()?.path, "b.md");
  assert.equal(queue.needsDrain, false);
  queue.push(task("b.md", 1)); // waits behind its in-flight task, counts towards the bound
  assert.deepEqual(events, ["needsDrain@3", "needsDrain@3"]);
  assert.equal(queue.tryPush(task("e.md")), false);
  assert.equal(queue.take()?.path, "a.md");
  assert.equal(queue.take()?.path, "c.md");
  assert.equal(queue.take(), undefined);
  assert.deepEqual(events, ["needsDrain@3", "needsDrain@3"]);
  queue.done("b.md");
  assert.equal(queue.take()?.path, "b.md");
  assert.deepEqual(events, ["needsDrain@3", "needsDrain@3", "drain@0"]);
});

test("rejects bad options and tasks", () => {
  assert.throws(() => new SyncTaskQueue({ maxSize: 0 }), RangeError);
  assert.throws(() => new SyncTaskQueue({ maxSize: 1.5 }), RangeError);
  assert.throws(() => new SyncTaskQueue({ maxSize: 1, maxDirtyPrefixes: 0 }), RangeError);
  const queue = new SyncTaskQueue({ maxSize: 1 });
  assert.throws(() => queue.push(task("")), TypeError);
  assert.throws(() => queue.push(task("a.md", Number.NaN)), RangeError);
  assert.equal(queue.size, 0);
});

test("order stays right through 10,000 priority raises (superseded heap entries, compaction)", () => {
  const queue = new SyncTaskQueue({ maxSize: 100 });
  for (let round = 0; round < 1000; round++) {
    for (let i = 0; i < 10; i++) queue.push(task(`p${i}.md`, round * 10 + ((i * 7) % 10)));
  }
  assert.deepEqual(drainAll(queue), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((r) => `p${(r * 3) % 10}.md`));
});

test("dirty prefixes: covered folders merge, and beyond the bound the deepest merge upwards", () => {
  const queue = new SyncTaskQueue({ maxSize: 1, maxDirtyPrefixes: 3 });
  queue.markDirtyPrefix("pages/a/b");
  queue.markDirtyPrefix("pages/a/b/c"); // already covered
  queue.markDirtyPrefix("/journals/");
  queue.markDirtyPrefix("pages/ab");
  assert.deepEqual(queue.dirtyPrefixes(), ["journals", "pages/a/b", "pages/ab"]);
  queue.markDirtyPrefix("pages/x"); // 4 > 3: pages/a/b -> pages/a; still 4: pages/x -> pages, covering the rest
  assert.deepEqual(queue.dirtyPrefixes(), ["journals", "pages"]);
  queue.markDirtyPrefix("assets");
  queue.markDirtyPrefix("whiteboards"); // four depth-1 folders merge into the root
  assert.deepEqual(queue.dirtyPrefixes(), [""]);
  queue.markDirtyPrefix("pages/y");
  assert.deepEqual(queue.takeDirtyPrefixes(), [""]);
  assert.deepEqual(queue.dirtyPrefixes(), []);
});

test("a 100,000-event storm stays within the bound; dirty prefixes cover every path not queued", () => {
  const queue = new SyncTaskQueue({ maxSize: 1000, maxDirtyPrefixes: 16 });
  let needsDrain = 0;
  queue.on("needsDrain", () => needsDrain++);
  const notQueued: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    // Namespaced pages spread over 500 folders, plus a flat journals folder.
    const path = i % 10 === 0 ? `journals/2024_${i}.md` : `pages/ns${i % 500}/sub${i % 7}/p${i}.md`;
    if (!queue.pushOrMarkDirty(task(path, i % 3, "update", i))) notQueued.push(path);
    assert.ok(queue.size <= 1000);
  }
  assert.equal(queue.size, 1000);
  assert.equal(needsDrain, 1);
  assert.equal(notQueued.length, 99_000);
  const prefixes = queue.dirtyPrefixes();
  assert.ok(prefixes.length <= 16, `${prefixes.length} prefixes`);
  assert.ok(!prefixes.includes(""), "should not need a whole-graph rescan");
  for (const path of notQueued) assert.ok(prefixes.some((p) => prefixCovers(p, path)), path);
});

test("prefixCovers and parentFolder", () => {
  assert.equal(prefixCovers("", "a.md"), true);
  assert.equal(prefixCovers("pages", "pages/a.md"), true);
  assert.equal(prefixCovers("pages", "pages"), true);
  assert.equal(prefixCovers("pages", "pages2/a.md"), false);
  assert.equal(parentFolder("pages/ns/a.md"), "pages/ns");
  assert.equal(parentFolder("a.md"), "");
});

test("a compaction on the last push keeps every live task, in priority order", () => {
  const queue = new SyncTaskQueue({ maxSize: 10 });
  queue.push(task("b.md", 100));
  queue.push(task("c.md", 200));
  queue.push(task("a.md", 0));
  // 3 live entries + 67 superseded ones reach 2 * 3 + 64 = 70: the 68th raise rebuilds the heap.
  for (let priority = 1; priority <= 68; priority++) queue.push(task("a.md", priority));
  assert.deepEqual(drainAll(queue), ["c.md", "b.md", "a.md"]);
});

test("a superseded heap entry of a path taken and queued again is skipped, not taken", () => {
  const queue = new SyncTaskQueue({ maxSize: 10 });
  queue.push(task("a.md", 1));
  queue.push(task("b.md", 5));
  queue.push(task("a.md", 10));
  assert.deepEqual(queue.take(), task("a.md", 10));
  queue.push(task("a.md", 0, "delete", 7));
  queue.done("a.md");
  assert.deepEqual(queue.take(), task("b.md", 5));
  queue.done("b.md");
  assert.deepEqual(queue.take(), task("a.md", 0, "delete", 7));
  queue.done("a.md");
  assert.equal(queue.take(), undefined);
});

test("beyond the bound, the deepest folder merges first, the greater name among equals", () => {
  const queue = new SyncTaskQueue({ maxSize: 1, maxDirtyPrefixes: 3 });
  // Neither the first nor the last of the equally deep folders is the greatest name.
  for (const folder of ["a/c", "x/y", "a/b"]) queue.markDirtyPrefix(folder);
  // "quarterly" is the longest name but the shallowest folder.
  queue.markDirtyPrefix("quarterly"); // x/y -> x (greater than a/c), then a/c -> a, covering a/b
  assert.deepEqual(queue.dirtyPrefixes(), ["a", "quarterly", "x"]);
  queue.markDirtyPrefix("//pages//");
  assert.deepEqual(queue.takeDirtyPrefixes(), [""]);
  const roomy = new SyncTaskQueue({ maxSize: 1 });
  roomy.markDirtyPrefix("//pages/a//");
  assert.deepEqual(roomy.dirtyPrefixes(), ["pages/a"]);
});

test("errors name the option, path or value", () => {
  assert.throws(() => new SyncTaskQueue({ maxSize: 0 }), { name: "RangeError", message: "maxSize must be an integer >= 1, got 0" });
  const queue = new SyncTaskQueue({ maxSize: 1 });
  assert.throws(() => queue.push(task("")), { name: "TypeError", message: "task.path must be a non-empty string" });
  // For JavaScript callers, whom the types do not stop.
  assert.throws(() => queue.push(task(42 as unknown as string)), { name: "TypeError", message: "task.path must be a non-empty string" });
  assert.throws(() => queue.push(task("a.md", Number.NaN)), { name: "RangeError", message: "task.priority must be finite, got NaN" });
  assert.throws(() => queue.push(task("a.md", 0, "update", Number.POSITIVE_INFINITY)), { name: "RangeError", message: "task.at must be finite, got Infinity" });
  assert.throws(() => queue.done("a.md"), { name: "RangeError", message: 'done("a.md"): no task for that path is in flight' });
  assert.equal(queue.size, 0);
});
