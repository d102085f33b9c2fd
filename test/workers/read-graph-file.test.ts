import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAll, readGraphFile } from "../../src/workers/read-graph-file.ts";

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
