import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock } from "../../src/pipeline/clock.ts";
import { EventRouter } from "../../src/pipeline/event-router.ts";
import { AGED_EVENTS_MAX, heldFor, WATCHER_HOLD_MS } from "../../src/pipeline/watcher-hold.ts";
import type { SyncEvent } from "../../src/pipeline/sync-event.ts";
import type { GraphConfig } from "../../src/logseq/types.ts";
import { pollUntil } from "./service-harness.ts";

const graph: GraphConfig = {
  hidden: [], fileNameFormat: "triple-lowbar", journalPageTitleFormat: "MMM do, yyyy", separatedByCommas: [],
  journalsDirectory: "journals", pagesDirectory: "pages", warnings: [],
};
const debounce = { markdownMs: 100, orgMs: 200, largeFileMs: 500, largeFileBytes: 1000, maxWaitMs: 2000 };

function makeRouter(root: string, clock: ManualClock, maxPending = 100, heldFor?: (path: string) => number) {
  const settled: SyncEvent[] = [];
  /** When each settled event settled. */
  const times: number[] = [];
  const scans: string[] = [];
  const dirty: string[] = [];
  const router = new EventRouter({
    root, graph, debounce, clock, maxPending,
    knownSize: (path) => (path === "pages/big.md" ? 5000 : path === "pages/edge.md" ? 1000 : undefined),
    hasIndexedUnder: (folder) => folder === "pages/old",
    onSettled: (event) => {
      settled.push(event);
      times.push(clock.now());
    },
    scanFolder: (folder) => scans.push(folder),
    markDirty: (folder) => dirty.push(folder),
    ...(heldFor === undefined ? {} : { heldFor }),
  });
  return { router, settled, times, scans, dirty };
}

test("graph files are debounced per type and size; artifacts and non-pages are dropped", () => {
  const clock = new ManualClock(1000);
  const { router, settled } = makeRouter("/nonexistent", clock);
  router.route([
    { path: "pages/a.md", kind: "update" },
    { path: "pages/b.org", kind: "create" },
    { path: "pages/big.md", kind: "update" },
    { path: "pages/.#a.md", kind: "create" },
    { path: "pages/a.md~", kind: "create" },
    { path: "logseq/bak/pages/a.md", kind: "create" },
  ]);
  clock.advance(100);
  // A large file's first change since it was quiet waits as a small file's (LargeFileDebounce).
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/big.md"]);
  clock.advance(100);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/big.md", "pages/b.org"]);
  // Changed again 300 ms after it settled: being typed into, it waits largeFileMs of quiet.
  clock.advance(100);
  router.route([{ path: "pages/big.md", kind: "update" }, { path: "pages/a.md", kind: "update" }]);
  clock.advance(100);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/big.md", "pages/b.org", "pages/a.md"]);
  clock.advance(399);
  assert.equal(settled.length, 4);
  clock.advance(1);
  assert.deepEqual(settled.map((e) => e.path).at(-1), "pages/big.md");
  assert.equal(router.pending, 0);
});

test("a large file typed into (a save every 300 ms for 3 s): the first save syncs after 100 ms, the other ten in two syncs", () => {
  const clock = new ManualClock(0);
  const { router, times } = makeRouter("/nonexistent", clock);
  for (let save = 0; save <= 10; save++) {
    router.route([{ path: "pages/big.md", kind: "update" }]);
    clock.advance(300);
  }
  clock.advance(5000);
  // 100: the first save of a quiet file, after markdownMs; 2300: saves 1-7 (300-2100 ms), held at most
  // maxWaitMs from the first of them; 3500: saves 8-10, largeFileMs after the last, as the run went on.
  assert.deepEqual(times, [100, 2300, 3500]);
  assert.equal(router.pending, 0);
  // Quiet for largeFileMs or longer: the next save starts a run, and syncs after markdownMs again.
  router.route([{ path: "pages/big.md", kind: "update" }]);
  clock.advance(5000);
  assert.deepEqual(times.slice(3), [8400]);
});

test("rename reported as delete + create settles as two events; delete + create of one path is an update", () => {
  const clock = new ManualClock(0);
  const { router, settled } = makeRouter("/nonexistent", clock);
  router.route([{ path: "pages/x.md", kind: "delete" }, { path: "pages/y.md", kind: "create" }, { path: "pages/z.md", kind: "delete" }]);
  router.route([{ path: "pages/z.md", kind: "create" }]);
  clock.advance(100);
  assert.deepEqual(settled.map((e) => [e.path, e.kind]), [["pages/x.md", "delete"], ["pages/y.md", "create"], ["pages/z.md", "update"]]);
});

test("past maxPending, events mark their folder dirty instead of growing the debouncer", () => {
  const clock = new ManualClock(0);
  const { router, dirty } = makeRouter("/nonexistent", clock, 2);
  router.route([1, 2, 3, 4].map((i) => ({ path: `pages/storm/p${i}.md`, kind: "create" as const })));
  assert.equal(router.pending, 2);
  assert.deepEqual(dirty, ["pages/storm", "pages/storm"]);
});

test("a new folder is scanned once quiet, then once more; a vanished folder holding indexed files is scanned", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "router-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, "pages", "new", "deep"), { recursive: true });
  const clock = new ManualClock(0);
  const { router, scans } = makeRouter(root, clock);
  router.route([{ path: "pages/new", kind: "create" }]);
  await pollUntil(() => router.pending === 1, "folder scan scheduled");
  clock.advance(150);
  router.route([{ path: "pages/new/deep/f.md", kind: "create" }]); // still being filled: wait longer
  clock.advance(150);
  assert.deepEqual(scans, []);
  clock.advance(200);
  assert.deepEqual(scans, ["pages/new"]);
  clock.advance(1000);
  assert.deepEqual(scans, ["pages/new", "pages/new"]);
  router.route([{ path: "pages/old", kind: "delete" }, { path: "assets/pic.png", kind: "delete" }]);
  await pollUntil(() => router.pending === 1, "vanished folder scan scheduled");
  clock.advance(300);
  assert.deepEqual(scans, ["pages/new", "pages/new", "pages/old"]);
  router.close();
});

test("a file of exactly largeFileBytes still gets its type's delay", () => {
  const clock = new ManualClock(0);
  const { router, settled } = makeRouter("/nonexistent", clock);
  router.route([{ path: "pages/edge.md", kind: "update" }]);
  clock.advance(100);
  assert.deepEqual(settled.map((e) => e.path), ["pages/edge.md"]);
});

test("close drops what is pending and ignores later events", () => {
  const clock = new ManualClock(0);
  const { router, settled, scans, dirty } = makeRouter("/nonexistent", clock, 1);
  router.route([{ path: "pages/a.md", kind: "update" }]);
  router.close();
  assert.equal(router.pending, 0);
  router.route([{ path: "pages/b.md", kind: "create" }, { path: "pages/c.md", kind: "create" }]);
  assert.equal(router.pending, 0);
  clock.advance(5000);
  assert.deepEqual({ settled, scans, dirty }, { settled: [], scans: [], dirty: [] });
});

test("a change the watcher held back settles its delay after the file's write; deletes and bursts count from arrival", () => {
  const clock = new ManualClock(1000);
  const asked: string[] = [];
  const { router, settled, times } = makeRouter("/nonexistent", clock, 1000, (path) => {
    asked.push(path);
    return path === "pages/a.md" ? 50 : path === "pages/b.org" ? 20 : 0;
  });
  router.route([
    { path: "pages/a.md", kind: "update" },
    { path: "pages/b.org", kind: "create" },
    { path: "pages/c.md", kind: "create" },
    { path: "pages/d.md", kind: "delete" },
  ]);
  clock.advance(200);
  assert.deepEqual(settled.map((e) => e.path), ["pages/a.md", "pages/c.md", "pages/d.md", "pages/b.org"]);
  assert.deepEqual(times, [1050, 1100, 1100, 1180]);
  assert.deepEqual(asked, ["pages/a.md", "pages/b.org", "pages/c.md"]);
  // A callback of more than AGED_EVENTS_MAX events (a checkout): no file is asked, every delay counts from arrival.
  asked.length = 0;
  router.route(Array.from({ length: AGED_EVENTS_MAX + 1 }, (_, i) => ({ path: i === 0 ? "pages/a.md" : `pages/n${i}.md`, kind: "create" as const })));
  clock.advance(99);
  assert.equal(settled.length, 4);
  clock.advance(1);
  assert.equal(settled.length, 4 + AGED_EVENTS_MAX + 1);
  assert.deepEqual(asked, []);
});

test("heldFor: how long ago the file was written by its mtime, at most WATCHER_HOLD_MS; none ahead of the clock or for a missing file", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "held-for-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, "a.md"), "- a\n");
  const written = 1_700_000_000_000;
  await utimes(join(root, "a.md"), written / 1000, written / 1000);
  assert.equal(heldFor(root, "a.md", written + 30), 30);
  assert.equal(heldFor(root, "a.md", written + WATCHER_HOLD_MS), WATCHER_HOLD_MS);
  assert.equal(heldFor(root, "a.md", written + 10_000), WATCHER_HOLD_MS);
  assert.equal(heldFor(root, "a.md", written - 10), 0);
  assert.equal(heldFor(root, "missing.md", written + 30), 0);
});

test("by default a change's age is its file's mtime: written long ago, held at most WATCHER_HOLD_MS; ahead of the clock, none", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "router-mtime-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, "pages"));
  await writeFile(join(root, "pages", "old.md"), "- old\n");
  await writeFile(join(root, "pages", "ahead.md"), "- ahead\n");
  await utimes(join(root, "pages", "old.md"), (Date.now() - 10_000) / 1000, (Date.now() - 10_000) / 1000);
  await utimes(join(root, "pages", "ahead.md"), (Date.now() + 3_600_000) / 1000, (Date.now() + 3_600_000) / 1000);
  const clock = new ManualClock(0);
  const { router, settled, times } = makeRouter(root, clock);
  router.route([{ path: "pages/old.md", kind: "update" }, { path: "pages/ahead.md", kind: "update" }]);
  clock.advance(100);
  assert.deepEqual(settled.map((e) => e.path), ["pages/old.md", "pages/ahead.md"]);
  assert.deepEqual(times, [100 - WATCHER_HOLD_MS, 100]);
});

test("a change's credit for the watcher's hold never reaches back past the path's last settle: the held rest of a save settles its full delay after", () => {
  const clock = new ManualClock(0);
  const { router, times } = makeRouter("/nonexistent", clock, 100, () => WATCHER_HOLD_MS);
  // A save's first event, handed over at once but written long ago by its mtime: credited WATCHER_HOLD_MS.
  router.route([{ path: "pages/a.md", kind: "update" }]);
  clock.advance(51);
  assert.deepEqual(times, [100 - WATCHER_HOLD_MS]);
  // The rest of that save, held back by the watcher, 1 ms after the path settled (its sync may be reading it):
  // credited 1 ms, so it settles 99 ms later, not at once beside that sync. Another path keeps its whole credit.
  router.route([{ path: "pages/a.md", kind: "update" }, { path: "pages/b.md", kind: "update" }]);
  clock.advance(200);
  assert.deepEqual(times, [50, 51 + 100 - WATCHER_HOLD_MS, 51 + 99]);
});
