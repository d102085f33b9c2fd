import { test } from "node:test";
import assert from "node:assert/strict";
import {
  priorityClass,
  SyncPriority,
  syncPriority,
  TODAY_JOURNAL_HEAD_START_MS,
  todayJournalStem,
} from "../../src/pipeline/sync-priority-calculator.ts";

const NOW = Date.UTC(2024, 0, 15, 12);
const DAY = 86_400_000;

test("any interactive edit outranks any catch-up work, which outranks any verification", () => {
  const newestInteractive = syncPriority("interactive", { path: "pages/a.md", at: NOW + 365 * DAY });
  const oldestCatchUp = syncPriority("catchUp", { path: "pages/b.md", at: 0 }, { todayJournal: "pages/b" });
  const newestCatchUp = syncPriority("catchUp", { path: "pages/b.md", at: NOW + 365 * DAY });
  const oldestVerify = syncPriority("verify", { path: "pages/c.md", at: 0 }, { todayJournal: "pages/c" });
  assert.ok(newestInteractive > oldestCatchUp);
  assert.ok(newestCatchUp > oldestVerify);
  assert.ok(Number.isSafeInteger(syncPriority("interactive", { path: "x.md", at: 0 }, { todayJournal: "x" })));
});

test("within a class, older events come first, one ms apart", () => {
  const older = syncPriority("catchUp", { path: "pages/a.md", at: NOW });
  const newer = syncPriority("catchUp", { path: "pages/a.md", at: NOW + 1 });
  assert.equal(older - newer, 1);
});

test("today's journal gets a fixed head start within its class only", () => {
  const context = { todayJournal: todayJournalStem("journals", new Date(2024, 0, 15, 9)) };
  assert.equal(context.todayJournal, "journals/2024_01_15");
  const today = syncPriority("catchUp", { path: "journals/2024_01_15.md", at: NOW }, context);
  const other = syncPriority("catchUp", { path: "journals/2024_01_14.md", at: NOW }, context);
  assert.equal(today - other, TODAY_JOURNAL_HEAD_START_MS);
  assert.equal(syncPriority("catchUp", { path: "journals/2024_01_15.org", at: NOW }, context), today);
  // Not a prefix match: a sibling named like it but longer gets nothing.
  assert.equal(syncPriority("catchUp", { path: "journals/2024_01_15_x.md", at: NOW }, context), other);
  assert.equal(syncPriority("catchUp", { path: "journals/2024_01_15.md", at: NOW }), other);
});

test("todayJournalStem pads and uses the configured folder", () => {
  assert.equal(todayJournalStem("/daily/", new Date(987, 2, 5)), "daily/0987_03_05");
  assert.equal(todayJournalStem("", new Date(2024, 11, 31)), "2024_12_31");
});

test("priorityClass recovers the class from the number", () => {
  for (const source of Object.values(SyncPriority)) {
    for (const at of [0, NOW, 2 ** 49 - 1]) {
      assert.equal(priorityClass(syncPriority(source, { path: "journals/x.md", at }, { todayJournal: "journals/x" })), source);
      assert.equal(priorityClass(syncPriority(source, { path: "pages/y.md", at })), source);
    }
  }
});

test("rejects times outside the supported range and unknown sources", () => {
  assert.throws(() => syncPriority("interactive", { path: "a.md", at: -1 }), RangeError);
  assert.throws(() => syncPriority("interactive", { path: "a.md", at: Number.NaN }), RangeError);
  assert.throws(() => syncPriority("interactive", { path: "a.md", at: 2 ** 49 }), RangeError);
  assert.throws(() => syncPriority("urgent" as SyncPriority, { path: "a.md", at: 0 }), TypeError);
});

test("a path without an extension is never today's journal, even one character longer than its stem", () => {
  const plain = syncPriority("catchUp", { path: "journals/2024_01_15", at: NOW });
  // slice(0, lastIndexOf(".")) of a dot-less path drops its last character.
  assert.equal(syncPriority("catchUp", { path: "journals/2024_01_15x", at: NOW }, { todayJournal: "journals/2024_01_15" }), plain);
  assert.equal(syncPriority("catchUp", { path: "2024_01_15x", at: NOW }, { todayJournal: "2024_01_15" }), plain);
  assert.equal(syncPriority("catchUp", { path: "2024_01_15.md", at: NOW }, { todayJournal: "2024_01_15" }), plain + TODAY_JOURNAL_HEAD_START_MS);
});

test("todayJournalStem trims any number of outer slashes and keeps inner ones", () => {
  assert.equal(todayJournalStem("//notes/daily//", new Date(2024, 11, 31)), "notes/daily/2024_12_31");
});

test("errors name the bad value", () => {
  assert.throws(() => syncPriority("interactive", { path: "a.md", at: -1 }), { name: "RangeError", message: "event.at must be a number in [0, 2^49), got -1" });
  assert.throws(() => syncPriority("urgent" as SyncPriority, { path: "a.md", at: 0 }), { name: "TypeError", message: "unknown SyncPriority: urgent" });
});
