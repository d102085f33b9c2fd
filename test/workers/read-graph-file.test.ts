import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { readAll, readGraphFile, SETTLE_MS } from "../../src/workers/read-graph-file.ts";

const text = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");

function withFile(content: string, check: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "sync-pipeline-read-"));
  try {
    const path = join(dir, "page.md");
    writeFileSync(path, content);
    check(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("readGraphFile: the bytes come back in a buffer of their own, exactly the file's size (transferred without a copy)", () => {
  for (const size of [0, 1, 1023, 1024, 1025, 70_000]) {
    withFile(text(size), (path) => {
      const read = readGraphFile({ absolutePath: path, maxBytes: 1 << 20 });
      assert.ok(read.ok, JSON.stringify(read));
      assert.equal(read.size, size);
      assert.equal(Buffer.from(read.bytes).toString(), text(size));
      assert.equal(read.bytes.byteOffset, 0);
      assert.equal(read.bytes.buffer.byteLength, size, `a file of ${size} bytes`);
    });
  }
});

test("readAll reads to the end whatever size fstat gave: a file that grew since is read whole, one that shrank up to its end", () => {
  withFile(text(5000), (path) => {
    const fd = openSync(path, "r");
    try {
      for (const expected of [0, 1, 1000, 2500, 4999, 5000, 5001, 9000]) {
        const bytes = readAll(fd, expected);
        assert.equal(bytes.byteLength, 5000, `fstat said ${expected}`);
        assert.equal(Buffer.from(bytes).toString(), text(5000), `fstat said ${expected}`);
      }
    } finally {
      closeSync(fd);
    }
  });
});

/**
 * Starts a thread that runs `change` (the body of a function of `fs` and `path`) 5 ms after the read given to the
 * function returned begins on this one: a change that lands after a read's checks pass, within SETTLE_MS of the
 * page's mtime. The thread is started first, as it takes longer to start than SETTLE_MS.
 */
async function changeDuring(path: string, change: string): Promise<<T>(read: () => T) => Promise<T>> {
  const go = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Worker(
    `const { workerData } = require("node:worker_threads"); const fs = require("node:fs");
     const go = new Int32Array(workerData.go); Atomics.wait(go, 0, 0); Atomics.wait(go, 0, 1, 5);
     ((fs, path) => { ${change} })(fs, workerData.path);`,
    { eval: true, workerData: { go: go.buffer, path } },
  );
  const exited = new Promise((resolve) => thread.once("exit", resolve));
  await new Promise((resolve) => thread.once("online", resolve));
  return async (read) => {
    try {
      Atomics.store(go, 0, 1);
      Atomics.notify(go, 0);
      return read();
    } finally {
      await exited;
    }
  };
}

test("readGraphFile: a page read while a same-size overwrite is half done comes back whole, never half old and half new", async () => {
  const half = 1 << 20;
  const [A, B] = [Buffer.alloc(2 * half, "a"), Buffer.alloc(2 * half, "b")];
  const dir = mkdtempSync(join(tmpdir(), "sync-pipeline-read-"));
  const path = join(dir, "page.md");
  try {
    writeFileSync(path, A);
    const during = await changeDuring(path, `const fd = fs.openSync(path, "r+"); fs.writeSync(fd, Buffer.alloc(${half}, "b"), 0, ${half}, ${half}); fs.closeSync(fd);`);
    // The first half of B over A: the mtime is new and the file half old, as during one write(2) of B.
    const fd = openSync(path, "r+");
    writeSync(fd, B, 0, half, 0);
    closeSync(fd);
    const read = await during(() => readGraphFile({ absolutePath: path, maxBytes: 4 * half }));
    assert.ok(read.ok, JSON.stringify(read));
    // Read at once, the page was half a and half b; the second half landed within SETTLE_MS of its mtime.
    assert.ok(SETTLE_MS >= 50);
    assert.equal(read.bytes.byteLength, 2 * half);
    assert.ok(Buffer.from(read.bytes).equals(B), `a: ${Buffer.from(read.bytes).filter((c) => c === 97).length} bytes, b: the rest`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readGraphFile: a page touched while its read is confirmed is read again: the mtime recorded is the page's, not the one before", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sync-pipeline-read-"));
  const path = join(dir, "page.md");
  try {
    // The same bytes with a new mtime (a touch, or a write that has not copied anything yet).
    const during = await changeDuring(path, `const now = new Date(); fs.utimesSync(path, now, now);`);
    writeFileSync(path, text(3000));
    const before = Math.trunc(statSync(path).mtimeMs);
    const read = await during(() => readGraphFile({ absolutePath: path, maxBytes: 1 << 20 }));
    assert.ok(read.ok, JSON.stringify(read));
    assert.equal(Buffer.from(read.bytes).toString(), text(3000));
    const after = Math.trunc(statSync(path).mtimeMs);
    assert.notEqual(after, before);
    assert.equal(read.mtime, after);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readGraphFile: a page whose mtime is ahead of the clock is read once, not held back as a write in progress", () => {
  withFile(text(3000), (path) => {
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(path, ahead, ahead);
    // Not a timed assertion of speed: held back, every read would wait SETTLE_MS; the quickest of five did not.
    let quickest = Infinity;
    for (let n = 0; n < 5; n++) {
      const started = process.hrtime.bigint();
      const read = readGraphFile({ absolutePath: path, maxBytes: 1 << 20 });
      quickest = Math.min(quickest, Number(process.hrtime.bigint() - started) / 1e6);
      assert.ok(read.ok, JSON.stringify(read));
      assert.equal(read.mtime, Math.trunc(statSync(path).mtimeMs));
      assert.ok(read.mtime > Date.now() + 3_000_000);
    }
    assert.ok(quickest < SETTLE_MS, `the quickest read took ${quickest} ms`);
  });
});
