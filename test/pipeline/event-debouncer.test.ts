import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/pipeline/clock.ts";
import { EventDebouncer } from "../../src/pipeline/event-debouncer.ts";
import type { SyncEvent, SyncEventKind } from "../../src/pipeline/sync-event.ts";

function setup(options: { delayMs?: (path: string) => number; maxWaitMs?: number; signal?: AbortSignal } = {}) {
  const clock = new ManualClock();
  const settled: SyncEvent[] = [];
  const debouncer = new EventDebouncer({
    clock,
    delayMs: options.delayMs ?? (() => 100),
    maxWaitMs: options.maxWaitMs ?? 1000,
    onSettled: (e) => settled.push(e),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const push = (path: string, kind: SyncEventKind) => debouncer.push({ path, kind, at: clock.now() });
  return { clock, settled, debouncer, push };
}

test("emits once a path has been quiet for its delay, each push restarting the timer", () => {
  const { clock, settled, debouncer, push } = setup();
  push("pages/a.md", "update");
  clock.advance(60);
  push("pages/a.md", "update");
  clock.advance(99);
  assert.deepEqual(settled, []);
  assert.equal(debouncer.pending, 1);
  clock.advance(1);
  assert.deepEqual(settled, [{ path: "pages/a.md", kind: "update", at: 0 }]);
  assert.equal(debouncer.pending, 0);
  assert.equal(clock.pendingTimers, 0);
});

test("paths are debounced independently", () => {
  const { clock, settled, push } = setup({ delayMs: (p) => (p.endsWith(".org") ? 300 : 100) });
  push("pages/a.md", "update");
  push("pages/b.org", "update");
  clock.advance(50);
  push("pages/c.md", "create");
  clock.advance(50);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md"]);
  clock.advance(50);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/c.md"]);
  clock.advance(150);
  assert.deepEqual(settled, [
    { path: "pages/a.md", kind: "update", at: 0 },
    { path: "pages/c.md", kind: "create", at: 50 },
    { path: "pages/b.org", kind: "update", at: 0 },
  ]);
});

test("a path that keeps changing is emitted maxWaitMs after its first pending event", () => {
  const { clock, settled, push } = setup({ maxWaitMs: 250 });
  for (let t = 0; t <= 240; t += 40) {
    push("journals/2024_01_15.md", "update");
    clock.advance(40);
  }
  // Pushed at 0, 40, ..., 240; the cap fires at 250 although the last push was 10 ms before.
  assert.deepEqual(settled, [{ path: "journals/2024_01_15.md", kind: "update", at: 0 }]);
  assert.equal(clock.now(), 280);
  push("journals/2024_01_15.md", "update");
  clock.advance(99);
  assert.equal(settled.length, 1);
  clock.advance(1);
  assert.deepEqual(settled[1], { path: "journals/2024_01_15.md", kind: "update", at: 280 });
});

test("coalesces kinds into the net change", () => {
  const { clock, settled, debouncer, push } = setup();
  push("create-update.md", "create");
  push("create-update.md", "update");
  push("update-delete.md", "update");
  push("update-delete.md", "delete");
  push("delete-create.md", "delete");
  push("delete-create.md", "create");
  push("delete-create-delete.md", "delete");
  push("delete-create-delete.md", "create");
  push("delete-create-delete.md", "delete");
  push("create-delete.md", "create");
  push("create-delete.md", "delete");
  assert.equal(debouncer.pending, 4);
  clock.advance(100);
  assert.deepEqual(
    settled.map((e) => [e.path, e.kind]),
    [
      ["create-update.md", "create"],
      ["update-delete.md", "delete"],
      ["delete-create.md", "update"],
      ["delete-create-delete.md", "delete"],
    ],
  );
  assert.equal(clock.pendingTimers, 0);
});

test("after a create+delete cancels out, a new create starts afresh", () => {
  const { clock, settled, push } = setup();
  push("p.md", "create");
  clock.advance(10);
  push("p.md", "delete");
  clock.advance(10);
  push("p.md", "create");
  clock.advance(100);
  assert.deepEqual(settled, [{ path: "p.md", kind: "create", at: 20 }]);
});

test("flush emits everything pending now, oldest first; clear drops it", () => {
  const { clock, settled, debouncer, push } = setup();
  push("b.md", "update");
  clock.advance(10);
  push("a.md", "create");
  push("b.md", "update");
  debouncer.flush();
  assert.deepEqual(settled, [
    { path: "b.md", kind: "update", at: 0 },
    { path: "a.md", kind: "create", at: 10 },
  ]);
  assert.equal(debouncer.pending, 0);
  assert.equal(clock.pendingTimers, 0);
  push("c.md", "update");
  debouncer.clear();
  assert.equal(debouncer.pending, 0);
  clock.advance(1000);
  assert.equal(settled.length, 2);
});

test("a push from inside onSettled starts a fresh debounce for that path", () => {
  const clock = new ManualClock();
  const settled: SyncEvent[] = [];
  const debouncer: EventDebouncer = new EventDebouncer({
    clock,
    delayMs: () => 100,
    maxWaitMs: 1000,
    onSettled: (e) => {
      settled.push(e);
      if (settled.length === 1) debouncer.push({ path: e.path, kind: "update", at: clock.now() });
    },
  });
  debouncer.push({ path: "a.md", kind: "create", at: 0 });
  clock.advance(100);
  assert.equal(debouncer.pending, 1);
  clock.advance(100);
  assert.deepEqual(settled, [
    { path: "a.md", kind: "create", at: 0 },
    { path: "a.md", kind: "update", at: 100 },
  ]);
});

test("aborting clears pending paths and ignores later pushes", () => {
  const controller = new AbortController();
  const { clock, settled, debouncer, push } = setup({ signal: controller.signal });
  push("a.md", "update");
  controller.abort();
  assert.equal(debouncer.pending, 0);
  push("b.md", "update");
  assert.equal(debouncer.pending, 0);
  clock.advance(5000);
  assert.deepEqual(settled, []);
  assert.equal(clock.pendingTimers, 0);
});

test("rejects bad delays", () => {
  assert.throws(() => setup({ maxWaitMs: -1 }), RangeError);
  assert.throws(() => setup({ maxWaitMs: Number.POSITIVE_INFINITY }), RangeError);
  const { push } = setup({ delayMs: () => Number.NaN });
  assert.throws(() => push("a.md", "update"), RangeError);
});

test("zero delays are allowed: such a path settles on the next advance(0)", () => {
  const { clock, settled, push } = setup({ delayMs: () => 0, maxWaitMs: 0 });
  push("a.md", "update");
  assert.deepEqual(settled, []);
  clock.advance(0);
  assert.deepEqual(settled, [{ path: "a.md", kind: "update", at: 0 }]);
});

test("bad delays are rejected with a message naming the option and the value", () => {
  assert.throws(() => setup({ maxWaitMs: -1 }), { name: "RangeError", message: "maxWaitMs must be a finite number >= 0, got -1" });
  assert.throws(() => setup({ maxWaitMs: Number.NaN }), { name: "RangeError", message: "maxWaitMs must be a finite number >= 0, got NaN" });
  const { push, debouncer } = setup({ delayMs: (p) => (p === "never.md" ? Number.POSITIVE_INFINITY : -5) });
  // An endless delay would otherwise be cut to maxWaitMs without a word.
  assert.throws(() => push("never.md", "update"), { name: "RangeError", message: 'delayMs("never.md") must be a finite number >= 0, got Infinity' });
  assert.throws(() => push("a.md", "update"), { name: "RangeError", message: 'delayMs("a.md") must be a finite number >= 0, got -5' });
  assert.equal(debouncer.pending, 0);
});

test("a clear from inside onSettled during flush stops the flush without error", () => {
  const clock = new ManualClock();
  const settled: string[] = [];
  const debouncer: EventDebouncer = new EventDebouncer({
    clock,
    delayMs: () => 100,
    maxWaitMs: 1000,
    onSettled: (e) => {
      settled.push(e.path);
      debouncer.clear();
    },
  });
  debouncer.push({ path: "a.md", kind: "update", at: 0 });
  debouncer.push({ path: "b.md", kind: "update", at: 0 });
  debouncer.flush();
  assert.deepEqual(settled, ["a.md"]);
  assert.equal(debouncer.pending, 0);
  assert.equal(clock.pendingTimers, 0);
});

/** A debouncer whose files' modification times the test sets (epoch-like ms; a whole second means "coarse"). */
function setupModified(options: { maxWaitMs?: number } = {}) {
  const clock = new ManualClock(1_700_000_000_500);
  const modified = new Map<string, number>();
  const settled: SyncEvent[] = [];
  const debouncer = new EventDebouncer({
    clock,
    delayMs: () => 100,
    maxWaitMs: options.maxWaitMs ?? 1000,
    onSettled: (e) => settled.push(e),
    lastModified: (path) => modified.get(path),
  });
  const push = (path: string, kind: SyncEventKind = "update") => debouncer.push({ path, kind, at: clock.now() });
  return { clock, modified, settled, debouncer, push, start: clock.now() };
}

test("quiet time counts from the file's modification time: a change reported 60 ms late waits 40 ms more", () => {
  const { clock, modified, settled, push, start } = setupModified();
  modified.set("pages/a.md", start - 60.25);
  push("pages/a.md");
  clock.advance(39);
  assert.deepEqual(settled, []);
  clock.advance(1);
  assert.deepEqual(settled, [{ path: "pages/a.md", kind: "update", at: start }]);
});

test("a file last modified long ago settles at once, without waiting the quiet time after its event", () => {
  const { clock, modified, settled, push, start } = setupModified();
  modified.set("pages/moved.md", start - 3_600_000.5);
  push("pages/moved.md", "create");
  assert.deepEqual(settled, []);
  clock.advance(0);
  assert.deepEqual(settled, [{ path: "pages/moved.md", kind: "create", at: start }]);
});

test("a file still being written is not settled: a write whose event is still on its way keeps it waiting", () => {
  const { clock, modified, settled, debouncer, push, start } = setupModified();
  modified.set("pages/a.md", start - 30.5);
  push("pages/a.md");
  clock.advance(40);
  // Written again at start + 40; the watcher has not reported it yet when the first delay is up (start + 69.5).
  modified.set("pages/a.md", start + 40);
  clock.advance(99);
  assert.deepEqual(settled, []);
  assert.equal(debouncer.pending, 1);
  clock.advance(1);
  assert.deepEqual(settled, [{ path: "pages/a.md", kind: "update", at: start }]);
});

test("a later event counts from the previous one when the time stamp is older (cp -p sets an old mtime last)", () => {
  const { clock, modified, settled, push, start } = setupModified();
  modified.set("pages/copy.md", start - 10.5);
  push("pages/copy.md", "create");
  clock.advance(50);
  modified.set("pages/copy.md", start - 86_400_000.5);
  push("pages/copy.md");
  // Quiet since the first event's arrival (start), not since the old time stamp: due at start + 100.
  clock.advance(49);
  assert.deepEqual(settled, []);
  clock.advance(1);
  assert.deepEqual(settled, [{ path: "pages/copy.md", kind: "create", at: start }]);
});

test("without a usable time stamp (none, in the future, a whole second) quiet time counts from the event", () => {
  const { clock, modified, settled, push, start } = setupModified();
  modified.set("pages/future.md", start + 5000.5);
  modified.set("pages/coarse.md", start - 500); // 1_700_000_000_000: a whole second, as FAT or HFS+ round it
  push("pages/future.md");
  push("pages/coarse.md");
  push("pages/gone.md", "delete");
  clock.advance(99);
  assert.equal(settled.length, 0);
  clock.advance(1);
  assert.deepEqual(settled.map((e) => e.path), ["pages/future.md", "pages/coarse.md", "pages/gone.md"]);
});

test("maxWaitMs still caps a file that keeps being written between its events", () => {
  const { clock, modified, settled, push, start } = setupModified({ maxWaitMs: 250 });
  modified.set("journals/log.md", start - 0.5);
  push("journals/log.md");
  for (let t = 40; t <= 400; t += 40) {
    clock.advance(40);
    modified.set("journals/log.md", start + t - 0.5);
  }
  assert.deepEqual(settled, [{ path: "journals/log.md", kind: "update", at: start }]);
  assert.equal(clock.now(), start + 400);
});

test("a late event for writes a settled path's sync reads anyway waits its quiet time from its arrival; a newer write does not", () => {
  const { clock, modified, settled, push, start } = setupModified();
  modified.set("pages/a.md", start - 60.5);
  push("pages/a.md");
  clock.advance(40);
  assert.equal(settled.length, 1, "settled 100 ms after the write");
  clock.advance(10);
  // The watcher's second batch for the same save (its write after the truncate): nothing newer on disk.
  push("pages/a.md");
  clock.advance(99);
  assert.equal(settled.length, 1, "not at once: that would overtake the sync in flight");
  clock.advance(1);
  assert.deepEqual(settled.map((e) => e.at), [start, start + 50]);
  // Saved again after that settle: quiet time counts from this write as usual.
  clock.advance(10);
  modified.set("pages/a.md", start + 150.5);
  clock.advance(20);
  push("pages/a.md");
  clock.advance(70);
  assert.equal(settled.length, 2, "due 100 ms after the write (start + 250.5), not after the event");
  clock.advance(1);
  assert.deepEqual(settled.map((e) => e.at), [start, start + 50, start + 180]);
});

test("a settled path's modification time is forgotten after a second: a later event with it settles at once", () => {
  const { clock, modified, settled, push, start } = setupModified();
  modified.set("pages/a.md", start - 100.5);
  push("pages/a.md");
  clock.advance(0);
  assert.equal(settled.length, 1);
  clock.advance(1001);
  push("pages/a.md", "create");
  clock.advance(0);
  assert.deepEqual(settled.map((e) => [e.kind, e.at]), [["update", start], ["create", start + 1001]]);
});
