import assert from "node:assert/strict";
import { mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stillAsRead } from "../../src/pipeline/file-sync.ts";
import { mtimeOf } from "../../src/pipeline/file-snapshot.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";

test("stillAsRead: false once the file's size or mtime differ from the read, or it is gone", async () => {
  const root = await mkdtemp(join(tmpdir(), "still-as-read-"));
  try {
    await writeFile(join(root, "a.md"), "- one\n");
    const s = await stat(join(root, "a.md"));
    const write: FileWrite = {
      op: "metadata",
      file: { path: "a.md", size: s.size, mtime: mtimeOf(s), checksum: "x", status: "indexed", error: null, idSeed: null },
    };
    assert.equal(await stillAsRead(root, write), true);
    await utimes(join(root, "a.md"), s.atime, new Date(s.mtimeMs + 2000));
    assert.equal(await stillAsRead(root, write), false, "mtime changed");
    await writeFile(join(root, "a.md"), "- one, longer\n");
    await utimes(join(root, "a.md"), s.atime, s.mtime);
    assert.equal(await stillAsRead(root, write), false, "size changed");
    await rm(join(root, "a.md"));
    assert.equal(await stillAsRead(root, write), false, "gone");
    // Deletes, and reads that failed to open (size and mtime 0), have nothing to compare.
    assert.equal(await stillAsRead(root, { op: "delete", path: "a.md" }), true);
    assert.equal(await stillAsRead(root, { op: "metadata", file: { ...write.file, size: 0, mtime: 0, status: "failed" } }), true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
