import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { FileRow, FileWrite } from "../../src/index/index-batch.ts";
import type { IndexedFileState } from "../../src/index/index-writer.ts";
import { IndexView, rowBytes, UNCACHED, type IndexRowReads } from "../../src/pipeline/index-view.ts";

const row = (path: string, checksum: string, size = 10): FileRow => ({ path, size, mtime: 1, checksum, status: "indexed", error: null, idSeed: path });
/** Room for about `n` rows like `row("pages/x.md", ...)`. */
const roomFor = (n: number): number => n * rowBytes(row("pages/x.md", "a".repeat(64))) + 10;

/**
 * The index the view reads from: rows as committed, answering each read as
 * the index was when the read was asked, once `settle` runs (so commits can
 * land while a read is on its way, as they do on the writer thread).
 */
class FakeIndex {
  readonly rows = new Map<string, IndexedFileState>();
  readonly asked: string[] = [];
  #waiting: (() => void)[] = [];
  held = false;

  constructor(rows: FileRow[]) {
    for (const r of rows) this.rows.set(r.path, r);
  }

  apply(write: FileWrite): void {
    if (write.op === "delete") this.rows.delete(write.path);
    else {
      if (write.op === "rename") this.rows.delete(write.from);
      this.rows.set(write.file.path, write.file);
    }
  }

  rowsOf = (paths?: readonly string[]): Promise<IndexedFileState[]> => {
    this.asked.push(paths === undefined ? "*" : paths.join(","));
    const snapshot = [...this.rows.values()].filter((r) => paths === undefined || paths.includes(r.path));
    return this.#answer(snapshot);
  };

  withChecksum = (checksum: string): Promise<IndexedFileState[]> => {
    this.asked.push(`checksum ${checksum}`);
    return this.#answer([...this.rows.values()].filter((r) => r.checksum === checksum));
  };

  get reads(): IndexRowReads {
    return { rows: this.rowsOf, withChecksum: this.withChecksum };
  }

  settle(): void {
    for (const answer of this.#waiting.splice(0)) answer();
  }

  #answer<T>(value: T): Promise<T> {
    if (!this.held) return Promise.resolve(value);
    return new Promise((resolve) => this.#waiting.push(() => resolve(value)));
  }
}

function commit(view: IndexView, index: FakeIndex, write: FileWrite): void {
  index.apply(write);
  view.commit(write);
}

test("the file-metadata cache stays within its bound; a row it lost is read from the index, then served from the cache", async () => {
  const rows = Array.from({ length: 10 }, (_, i) => row(`pages/p${i}.md`, `${i}`.repeat(64)));
  const index = new FakeIndex(rows);
  const view = new IndexView(rows, { maxBytes: roomFor(3), reads: index.reads });
  const stats = view.cacheStats();
  assert.deepEqual([stats.entries, stats.sizeBytes <= stats.maxBytes, view.complete, view.size], [3, true, false, 10]);
  // Every path and its size stay known without a read.
  assert.deepEqual([view.has("pages/p0.md"), view.sizeOf("pages/p0.md"), view.willHold("pages/p0.md"), view.has("pages/none.md")], [true, 10, true, false]);
  assert.deepEqual(index.asked, []);
  // The oldest rows were evicted: p0 is read back (one miss), then cached (one hit).
  assert.deepEqual(await view.latest("pages/p0.md"), rows[0]);
  assert.deepEqual(index.asked, ["pages/p0.md"]);
  assert.deepEqual(await view.latest("pages/p0.md"), rows[0]);
  assert.deepEqual(index.asked, ["pages/p0.md"]);
  assert.deepEqual([view.cacheStats().hits, view.cacheStats().misses], [1, 1]);
  // A path the index does not hold needs no read.
  assert.equal(await view.latest("pages/none.md"), undefined);
  // The first scan compares with the rows the view was built from; later ones read every row from the index.
  assert.deepEqual((await view.states()).map((r) => r.path).sort(), rows.map((r) => r.path).sort());
  assert.deepEqual(index.asked, ["pages/p0.md"]);
  assert.deepEqual((await view.states()).map((r) => r.path).sort(), rows.map((r) => r.path).sort());
  assert.deepEqual(index.asked, ["pages/p0.md", "*"]);
  assert.ok(view.cacheStats().sizeBytes <= view.cacheStats().maxBytes);
});

test("a cache that holds every row answers scans and checksum lookups without reading the index", async () => {
  const rows = [row("pages/a.md", "a".repeat(64)), row("pages/b.md", "b".repeat(64))];
  const index = new FakeIndex(rows);
  const view = new IndexView(rows, { maxBytes: roomFor(10), reads: index.reads });
  assert.equal(view.complete, true);
  assert.deepEqual((await view.states()).map((r) => r.path).sort(), ["pages/a.md", "pages/b.md"]);
  assert.deepEqual(await view.pathsWithChecksum("a".repeat(64)), ["pages/a.md"]);
  assert.deepEqual(await view.pathsWithChecksum("c".repeat(64)), []);
  assert.deepEqual(index.asked, []);
});

test("a checksum no indexed row starts with needs no read; one that does is looked up in the index when the cache lost rows", async () => {
  const head = "abcdef012345";
  const rows = [row("pages/a.md", head + "0".repeat(52)), row("pages/b.md", "b".repeat(64)), row("pages/c.md", "c".repeat(64))];
  const index = new FakeIndex(rows);
  const view = new IndexView(rows, { maxBytes: 0, reads: index.reads });
  assert.deepEqual(await view.pathsWithChecksum("d".repeat(64)), []);
  // The same first 24 bits are not enough to read: 48 are compared.
  assert.deepEqual(await view.pathsWithChecksum("abcdef" + "9".repeat(58)), []);
  assert.deepEqual(index.asked, []);
  // Same first 48 bits, another checksum: read, and nothing found.
  assert.deepEqual(await view.pathsWithChecksum(head + "1".repeat(52)), []);
  assert.deepEqual(await view.pathsWithChecksum(head + "0".repeat(52)), ["pages/a.md"]);
  assert.deepEqual(index.asked, [`checksum ${head}${"1".repeat(52)}`, `checksum ${head}${"0".repeat(52)}`]);
  // Deleted: its prefix is gone with it.
  commit(view, index, { op: "delete", path: "pages/a.md" });
  assert.deepEqual(await view.pathsWithChecksum(head + "0".repeat(52)), []);
  assert.equal(index.asked.length, 2);
});

test("a row read from the index while a write of it commits is not the answer: the committed write is", async () => {
  const old = row("pages/a.md", "a".repeat(64));
  const index = new FakeIndex([old, row("pages/b.md", "b".repeat(64))]);
  const view = new IndexView([...index.rows.values()], { maxBytes: 0, reads: index.reads });
  // The first scan takes the rows the view was built from; the one below reads the index.
  assert.equal((await view.states()).length, 2);
  index.held = true;
  const edited = row("pages/a.md", "e".repeat(64), 20);
  const reading = view.latest("pages/a.md");
  const scanning = view.states();
  const looking = view.pathsWithChecksum("a".repeat(64));
  // Each read was asked with the old row; the edit commits before they answer.
  commit(view, index, { op: "metadata", file: edited });
  commit(view, index, { op: "delete", path: "pages/b.md" });
  index.settle();
  assert.deepEqual(await reading, edited);
  assert.deepEqual(await scanning, [edited]);
  assert.deepEqual(await looking, []);
});

type Op =
  | { kind: "index"; path: number; checksum: number }
  | { kind: "delete"; path: number }
  | { kind: "rename"; from: number; to: number }
  | { kind: "pend"; path: number; checksum: number }
  | { kind: "latest"; path: number; during?: { path: number; checksum: number; pend: boolean } };

const PATHS = 8;
const pathOf = (i: number): string => `pages/p${i}.md`;
const checksumOf = (i: number): string => `${"0123456789abcdef"[i % 16]}`.repeat(64);

/**
 * For random commits, pending writes and reads racing commits and writes handed over, with a cache
 * of room for 0 to 4 rows: `latest`, `states` and `pathsWithChecksum` say
 * what a view holding every row in a plain map says, and the cache never
 * exceeds its bound.
 */
test("property: a bounded view answers as an unbounded one, whatever it evicted and whatever committed during its reads", async () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("index" as const), path: fc.nat(PATHS - 1), checksum: fc.nat(5) }),
    fc.record({ kind: fc.constant("delete" as const), path: fc.nat(PATHS - 1) }),
    fc.record({ kind: fc.constant("rename" as const), from: fc.nat(PATHS - 1), to: fc.nat(PATHS - 1) }),
    fc.record({ kind: fc.constant("pend" as const), path: fc.nat(PATHS - 1), checksum: fc.nat(5) }),
    fc.record({ kind: fc.constant("latest" as const), path: fc.nat(PATHS - 1), during: fc.option(fc.record({ path: fc.nat(PATHS - 1), checksum: fc.nat(5), pend: fc.boolean() }), { nil: undefined }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.nat(4), fc.array(op, { maxLength: 40 }), async (room, ops) => {
      const start = [0, 1, 2].map((i) => row(pathOf(i), checksumOf(i)));
      const index = new FakeIndex(start);
      const view = new IndexView(start, { maxBytes: room === 0 ? 0 : roomFor(room), reads: index.reads });
      const pending = new Map<string, FileWrite>();
      const expected = (path: string): IndexedFileState | undefined => {
        const write = pending.get(path);
        if (write === undefined) return index.rows.get(path);
        return write.op === "delete" ? undefined : (write as { file: FileRow }).file;
      };
      let version = 0;
      for (const o of ops) {
        version++;
        if (o.kind === "index") commit(view, index, { op: "metadata", file: row(pathOf(o.path), checksumOf(o.checksum), version) });
        else if (o.kind === "delete") commit(view, index, { op: "delete", path: pathOf(o.path) });
        else if (o.kind === "rename") {
          const from = index.rows.get(pathOf(o.from));
          if (from === undefined || o.from === o.to || pending.has(pathOf(o.to)) || pending.has(pathOf(o.from))) continue;
          commit(view, index, { op: "rename", from: from.path, file: { ...from, path: pathOf(o.to) } });
        } else if (o.kind === "pend") {
          const write: FileWrite = { op: "metadata", file: row(pathOf(o.path), checksumOf(o.checksum), version) };
          pending.set(write.file.path, write);
          view.pend(write);
        } else {
          index.held = o.during !== undefined;
          // A read of the index answers as of its answer (the commits meanwhile applied); a cached row as of the ask.
          const asked = view.cached(pathOf(o.path)) === UNCACHED ? undefined : { row: expected(pathOf(o.path)) };
          const reading = view.latest(pathOf(o.path));
          if (o.during?.pend === true) {
            const write: FileWrite = { op: "metadata", file: row(pathOf(o.during.path), checksumOf(o.during.checksum), version) };
            pending.set(write.file.path, write);
            view.pend(write);
          } else if (o.during !== undefined && !pending.has(pathOf(o.during.path))) {
            commit(view, index, { op: "metadata", file: row(pathOf(o.during.path), checksumOf(o.during.checksum), version) });
          }
          index.settle();
          index.held = false;
          assert.deepEqual(await reading, asked === undefined ? expected(pathOf(o.path)) : asked.row);
        }
        const stats = view.cacheStats();
        assert.ok(stats.sizeBytes <= stats.maxBytes, `${stats.sizeBytes} > ${stats.maxBytes}`);
        assert.equal(view.size, index.rows.size);
      }
      for (let i = 0; i < PATHS; i++) {
        assert.deepEqual(await view.latest(pathOf(i)), expected(pathOf(i)));
        assert.equal(view.willHold(pathOf(i)), expected(pathOf(i)) !== undefined);
        assert.equal(view.sizeOf(pathOf(i)), index.rows.get(pathOf(i))?.size);
      }
      const all = [...new Set([...index.rows.keys(), ...pending.keys()])].map(expected).filter((s) => s !== undefined);
      assert.deepEqual((await view.states()).sort((a, b) => a.path.localeCompare(b.path)), all.sort((a, b) => a.path.localeCompare(b.path)));
      for (let c = 0; c < 6; c++) {
        const paths = [...index.rows.values()].filter((r) => r.checksum === checksumOf(c)).map((r) => r.path);
        assert.deepEqual((await view.pathsWithChecksum(checksumOf(c))).sort(), paths.sort());
      }
      // Nothing pending is left unsettled by the test: settle them, the view then reads as the index.
      for (const write of pending.values()) view.settle(write);
      for (let i = 0; i < PATHS; i++) assert.deepEqual(await view.latest(pathOf(i)), index.rows.get(pathOf(i)));
    }),
    { numRuns: 300 },
  );
});

test("UNCACHED marks a row the cache lost, never a path the index does not hold", () => {
  const rows = [row("pages/a.md", "a".repeat(64))];
  const view = new IndexView(rows, { maxBytes: 0, reads: new FakeIndex(rows).reads });
  assert.equal(view.cached("pages/a.md"), UNCACHED);
  assert.equal(view.cached("pages/b.md"), undefined);
  view.pend({ op: "delete", path: "pages/a.md" });
  assert.equal(view.cached("pages/a.md"), undefined);
});

test("a view from stamps (run --once) knows every path, holds the rows it was given until their commit, and reads the others", async () => {
  const a = row("pages/a.md", "a".repeat(64), 11);
  const b = row("pages/b.md", "b".repeat(64), 12);
  const index = new FakeIndex([a, b]);
  const stamp = (r: FileRow) => ({ path: r.path, size: r.size, mtime: r.mtime, status: r.status, error: r.error, disagrees: false });
  // A cache of no room: the given rows are kept outside it.
  const view = IndexView.fromStamps([stamp(a), stamp(b)], [a], { maxBytes: 0, reads: index.reads });
  assert.deepEqual([view.has("pages/a.md"), view.has("pages/b.md"), view.has("pages/c.md")], [true, true, false]);
  assert.deepEqual([view.sizeOf("pages/a.md"), view.sizeOf("pages/b.md")], [11, 12]);
  assert.equal(view.cached("pages/a.md"), a);
  assert.equal(view.cached("pages/b.md"), UNCACHED);
  assert.deepEqual(index.asked, []);
  assert.deepEqual(await view.latest("pages/b.md"), b);
  assert.deepEqual(index.asked, ["pages/b.md"]);
  // Stamps hold no checksum: a lookup reads the index.
  assert.deepEqual(await view.pathsWithChecksum("d".repeat(64)), []);
  assert.deepEqual(await view.pathsWithChecksum("b".repeat(64)), ["pages/b.md"]);
  assert.deepEqual(index.asked, ["pages/b.md", `checksum ${"d".repeat(64)}`, `checksum ${"b".repeat(64)}`]);
  // Committed: the given row no longer answers for its path.
  const edited = row("pages/a.md", "e".repeat(64), 20);
  commit(view, index, { op: "index", file: edited, doc: undefined as never });
  assert.equal(view.cached("pages/a.md"), UNCACHED);
  assert.deepEqual(await view.latest("pages/a.md"), edited);
});
