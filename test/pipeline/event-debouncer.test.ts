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

test("a path already quiet for a while when its event arrives (held by the watcher) waits only the rest of its delay", () => {
  const { clock, settled, debouncer } = setup({ maxWaitMs: 250 });
  debouncer.push({ path: "pages/a.md", kind: "update", at: 0 }, 40);
  clock.advance(59);
  assert.equal(settled.length, 0);
  clock.advance(1);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md"]);
  // A second event restarts the delay from its own write; a negative age counts as none.
  debouncer.push({ path: "pages/b.md", kind: "update", at: 60 }, 30);
  clock.advance(50);
  debouncer.push({ path: "pages/b.md", kind: "update", at: 110 }, -5);
  clock.advance(99);
  assert.equal(settled.length, 1);
  clock.advance(1);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/b.md"]);
  // Quiet longer than its delay: settles on the next turn of the clock. The max-wait still counts from arrival.
  debouncer.push({ path: "pages/c.md", kind: "create", at: 210 }, 500);
  assert.equal(settled.length, 2);
  clock.advance(0);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/b.md", "pages/c.md"]);
  assert.equal(clock.pendingTimers, 0);
});
