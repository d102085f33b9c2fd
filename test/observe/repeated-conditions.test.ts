import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { eventLog, type EventLogOptions } from "../../src/observe/event-log.ts";
import { REPEAT_LIMIT } from "../../src/observe/repeated-conditions.ts";
import { ManualClock } from "../../src/pipeline/clock.ts";

/** The event log on a manual clock, its JSON records collected. */
function harness(options: EventLogOptions = {}) {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: "warn", base: null }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  const clock = new ManualClock();
  const log = eventLog(logger, { quietMs: 1000, maxDelayMs: 10_000, clock }, options);
  const fail = (i: number) => log.onEvent({ type: "FileSyncFailed", path: `pages/f${i}.md`, status: "failed", reason: "EACCES" });
  return { records, clock, log, fail };
}

test("a service's repeated failures are one line once the events are quiet; up to REPEAT_LIMIT stay one line each", () => {
  const { records, clock, fail } = harness();
  for (let i = 0; i < 5; i++) fail(i);
  clock.advance(999);
  assert.deepEqual(records, []);
  clock.advance(1);
  assert.deepEqual(records.map((r) => [r["count"], r["paths"]]), [[5, ["pages/f0.md", "pages/f1.md", "pages/f2.md"]]]);
  assert.equal(records[0]?.["msg"], "failed: 5 files in this sync, e.g. pages/f0.md: EACCES; pages/f1.md: EACCES; pages/f2.md: EACCES; and 2 more (sync-pipeline status lists them)");

  records.length = 0;
  for (let i = 0; i < REPEAT_LIMIT; i++) fail(i);
  clock.advance(1000);
  assert.deepEqual(records.map((r) => [r["path"], r["count"]]), [["pages/f0.md", undefined], ["pages/f1.md", undefined], ["pages/f2.md", undefined]]);
});

test("failures that never go quiet are still written at the latest maxDelayMs after the first", () => {
  const { records, clock, fail } = harness();
  for (let i = 0; i < 12; i++) {
    fail(i);
    clock.advance(900);
  }
  // One every 900 ms, never quiet for 1,000: the deadline at 10,000 ms writes all 12 at once.
  assert.deepEqual(records.map((r) => r["count"]), [12]);
  clock.advance(1000);
  assert.equal(records.length, 1, "nothing more held back");
});

test("flush (SyncCompleted, Caught up, exit) writes at once and clears the timers", () => {
  const { records, clock, log, fail } = harness();
  for (let i = 0; i < 4; i++) fail(i);
  log.flush();
  assert.deepEqual(records.map((r) => r["count"]), [4]);
  assert.equal(clock.pendingTimers, 0);
});

/**
 * "The index cannot be written" is one error line for as long as it lasts in
 * the service's log; in a one-shot run the session's own error says it at
 * its end (run-sync.ts), so the log writes none: a run that took more than
 * the quiet second to end after its first failed batch printed it twice
 * (test/resilience/saga.test.ts "full disk", seen under CI's load).
 */
test("an unwritable index: one error line in the service's log, none in a one-shot run's", () => {
  const reason = 'index write failed: Could not write file "/x/index.duckdb.wal": File too large';
  for (const [unwritableIndex, lines] of [["log", 1], ["session", 0]] as const) {
    const { records, clock, log } = harness({ unwritableIndex });
    for (let i = 0; i < 30; i++) log.onEvent({ type: "FileSyncFailed", path: `pages/f${i}.md`, status: "failed", reason });
    clock.advance(10_000);
    log.flush();
    assert.equal(records.length, lines, unwritableIndex);
    if (lines === 1) assert.match(String(records[0]?.["msg"]), /^cannot write the index: Could not write file .*File too large\. The disk holding it is full/);
  }
});
