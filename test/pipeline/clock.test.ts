import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, systemClock } from "../../src/pipeline/clock.ts";

test("ManualClock starts where told and only moves on advance", () => {
  const clock = new ManualClock(1000);
  assert.equal(clock.now(), 1000);
  clock.advance(250);
  assert.equal(clock.now(), 1250);
});

test("advance fires due timers in due-time order, ties in scheduling order, with now() at their due time", () => {
  const clock = new ManualClock();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`c@${clock.now()}`), 30);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 10);
  clock.setTimeout(() => fired.push(`late@${clock.now()}`), 31);
  clock.advance(30);
  assert.deepEqual(fired, ["a@10", "b@10", "c@30"]);
  assert.equal(clock.now(), 30);
  assert.equal(clock.pendingTimers, 1);
  clock.advance(1);
  assert.deepEqual(fired, ["a@10", "b@10", "c@30", "late@31"]);
  assert.equal(clock.pendingTimers, 0);
});

test("timers scheduled by a firing timer fire within the same advance when due", () => {
  const clock = new ManualClock();
  const fired: number[] = [];
  clock.setTimeout(() => {
    fired.push(clock.now());
    clock.setTimeout(() => fired.push(clock.now()), 5);
    clock.setTimeout(() => fired.push(clock.now()), 50);
  }, 10);
  clock.advance(20);
  assert.deepEqual(fired, [10, 15]);
  assert.equal(clock.pendingTimers, 1);
});

test("clearTimeout cancels; zero, negative and NaN delays fire on advance(0)", () => {
  const clock = new ManualClock();
  const fired: string[] = [];
  const handle = clock.setTimeout(() => fired.push("cleared"), 5);
  clock.setTimeout(() => fired.push("zero"), 0);
  clock.setTimeout(() => fired.push("negative"), -5);
  clock.setTimeout(() => fired.push("nan"), Number.NaN);
  clock.clearTimeout(handle);
  clock.clearTimeout("not a handle");
  clock.advance(0);
  assert.deepEqual(fired, ["zero", "negative", "nan"]);
  clock.advance(10);
  assert.deepEqual(fired, ["zero", "negative", "nan"]);
});

test("advance rejects negative and non-finite steps", () => {
  const clock = new ManualClock();
  assert.throws(() => clock.advance(-1), RangeError);
  assert.throws(() => clock.advance(Number.POSITIVE_INFINITY), RangeError);
  assert.throws(() => new ManualClock(Number.NaN), RangeError);
});

test("systemClock fires real timers, and a cleared one never fires", async () => {
  // Real short timers: a 60 s timer checked synchronously could not tell a
  // working clearTimeout from a no-op. The later control timer proves the
  // cleared one's due time has passed (host timers fire in due-time order).
  const fired: string[] = [];
  const cleared = systemClock.setTimeout(() => fired.push("cleared"), 10);
  systemClock.setTimeout(() => fired.push("kept"), 5);
  systemClock.clearTimeout(cleared);
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 50));
  assert.deepEqual(fired, ["kept"]);
  const before = Date.now();
  const now = systemClock.now();
  assert.ok(before <= now && now <= Date.now(), `now() ${now} is wall-clock time`);
});
