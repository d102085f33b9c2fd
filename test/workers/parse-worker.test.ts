import { test } from "node:test";
import assert from "node:assert/strict";
import { Bulkhead } from "../../src/bulkheads/bulkhead.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParseOutcome, ReadParseOutcome } from "../../src/workers/parse.worker.ts";

const bytesOf = (text: string): ArrayBuffer => {
  const b = new TextEncoder().encode(text);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

test("a file that makes the parser throw comes back failed with the reason; the worker keeps serving", async () => {
  // A graph config the parser cannot use (what a bug in a future rule would look like):
  // reading any property line throws inside parseFile, in the real worker thread.
  const broken = { ...defaultGraphConfig, separatedByCommas: null };
  const pool = new Bulkhead({ name: "parsing", worker: "parse", threads: 1, maxQueue: 4, workerData: { graph: broken } });
  try {
    const bad = await pool.run<ParseOutcome>({ path: "pages/bad.md", bytes: bytesOf("- a\n  key:: value\n") });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.status, "failed");
    assert.match(!bad.ok ? bad.reason : "", /^parser error: TypeError: /);
    const good = await pool.run<ParseOutcome>({ path: "pages/good.md", bytes: bytesOf("- plain block\n") });
    assert.equal(good.ok, true);
    assert.equal(good.ok && good.doc.blockCount, 1);
  } finally {
    await pool.close();
  }
});

test("a parse's rows come back in one buffer of their own, not shared: V8 counts it, and it crosses threads by transfer", async () => {
  const pool = new Bulkhead({ name: "parsing", worker: "parse", threads: 1, maxQueue: 4, workerData: { graph: defaultGraphConfig } });
  try {
    const outcome = await pool.run<ParseOutcome>({ path: "pages/a.md", bytes: bytesOf("- see [[B]] here\n") });
    assert.equal(outcome.ok, true);
    if (!outcome.ok) return;
    const { blockRows, refRows } = outcome.doc;
    assert.ok(blockRows.buffer instanceof ArrayBuffer, "block rows are not in an ArrayBuffer");
    assert.equal(refRows.buffer, blockRows.buffer);
    assert.equal(blockRows.buffer.byteLength, blockRows.byteLength + refRows.byteLength);
    const line = JSON.parse(new TextDecoder().decode(blockRows).trimEnd()) as { content: string; tokens: string };
    assert.deepEqual([line.content, line.tokens], ["see [[B]] here", "see b here"]);
    const ref = JSON.parse(new TextDecoder().decode(refRows).trimEnd()) as { target: string };
    assert.equal(ref.target, "b");
    const grouped = await pool.run<ReadParseOutcome[]>({ tasks: [], budgetMs: 10 }, { name: "readAndParseGroup" }).catch((error: unknown) => error);
    assert.ok(Array.isArray(grouped), `an empty group answers an empty list: ${String(grouped)}`);
  } finally {
    await pool.close();
  }
});

test("given the keys of the file's previous parse, the worker returns rows only for the blocks they lack, and the file's bytes in shared memory", async () => {
  const pool = new Bulkhead({ name: "parsing", worker: "parse", threads: 1, maxQueue: 4, workerData: { graph: defaultGraphConfig } });
  try {
    const text = "- one\n- two\n- three\n- four\n";
    const first = await pool.run<ParseOutcome>({ path: "pages/a.md", bytes: bytesOf(text) });
    assert.ok(first.ok);
    assert.equal(first.doc.source, null);
    const edited = text.replace("three", "three and more");
    const second = await pool.run<ParseOutcome>({ path: "pages/a.md", bytes: bytesOf(edited), previousKeys: first.keys });
    assert.ok(second.ok);
    const rows = new TextDecoder().decode(second.doc.blockRows).trimEnd().split("\n").map((line) => JSON.parse(line) as { ord: number; content: string });
    assert.deepEqual(rows.map((row) => [row.ord, row.content]), [[2, "three and more"]]);
    assert.equal(second.doc.blockCount, 4);
    assert.ok(second.doc.outline !== undefined);
    assert.equal(second.doc.outline.keys.split("\n").length, 4);
    assert.ok(second.doc.outline.place.buffer instanceof SharedArrayBuffer, "the outline's places are not in a SharedArrayBuffer");
    assert.ok(second.doc.source?.buffer instanceof SharedArrayBuffer, "the bytes are not in a SharedArrayBuffer");
    assert.equal(new TextDecoder().decode(second.doc.source), edited);
  } finally {
    await pool.close();
  }
});

test("a new file read and parsed in one task (written whole) gets no block outline nor keys below 1,000 blocks; a larger one keeps both for its next diff", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parse-worker-"));
  const pool = new Bulkhead({ name: "parsing", worker: "parse", threads: 1, maxQueue: 4, workerData: { graph: defaultGraphConfig } });
  try {
    const small = Array.from({ length: 999 }, (_, i) => `- block ${i}\n`).join("");
    const large = small + "- block 999\n";
    await writeFile(join(dir, "small.md"), small);
    await writeFile(join(dir, "large.md"), large);
    const read = (name: string) =>
      pool.run<ReadParseOutcome>({ absolutePath: join(dir, name), maxBytes: 1 << 20, path: `pages/${name}` }, { name: "readAndParse" });
    const [a, b] = [await read("small.md"), await read("large.md")];
    assert.ok("parsed" in a && a.parsed.ok && "parsed" in b && b.parsed.ok);
    assert.equal(a.parsed.doc.blockCount, 999);
    assert.equal(a.parsed.doc.outline, undefined, "no outline: nothing diffs a file written whole");
    assert.deepEqual(a.parsed.keys, { keys: "" });
    assert.equal(new TextDecoder().decode(a.parsed.doc.blockRows).trimEnd().split("\n").length, 999, "every row");
    assert.equal(b.parsed.doc.blockCount, 1000);
    assert.equal(b.parsed.doc.outline?.keys.split("\n").length, 1000, "a large page's outline: the writer warms its diff state from it");
    assert.equal(b.parsed.keys.keys.split("\n").length, 1000, "and its keys: the main thread keeps them for its next parse");
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});
