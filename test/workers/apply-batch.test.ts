import { test } from "node:test";
import assert from "node:assert/strict";
import { applyBatch, packRows, RowBuffers } from "../../src/bulkheads/apply-batch.ts";
import { transferredValue } from "../../src/workers/transfer.ts";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import type { FileWrite, IndexBatch } from "../../src/index/index-batch.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { tempGraph } from "../support/cli.ts";
import { DEFAULT_LIMITS } from "../../src/index/database.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import * as writerThread from "../../src/workers/index-writer.worker.ts";
import { queryRows } from "../support/db.ts";
import { indexWrite } from "../support/index-writes.ts";

const decoder = new TextDecoder();
const text = (bytes: Uint8Array) => decoder.decode(bytes);

function batchOf(): IndexBatch {
  const writes: FileWrite[] = [
    indexWrite("pages/a.md", "- first [[B]]\n- second\n"),
    { op: "delete", path: "pages/gone.md" },
    indexWrite("pages/b.md", "- third #tag\n"),
  ];
  return { writes };
}

test("a batch's rows are packed into one new buffer, each write's as views of it, the documents' own rows left as they were", () => {
  const batch = batchOf();
  const packed = packRows(batch);
  assert.ok(packed.rows instanceof ArrayBuffer);
  let size = 0;
  for (const [i, write] of packed.writes.entries()) {
    const before = batch.writes[i] as FileWrite;
    if (write.op !== "index" || before.op !== "index") {
      assert.equal(write, before);
      continue;
    }
    for (const key of ["blockRows", "refRows"] as const) {
      assert.equal(write.doc[key].buffer, packed.rows, `${write.file.path} ${key} is a view of the packed buffer`);
      assert.equal(text(write.doc[key]), text(before.doc[key]));
      assert.notEqual(before.doc[key].buffer, packed.rows);
      size += write.doc[key].byteLength;
    }
  }
  assert.equal(packed.rows.byteLength, size);
  assert.ok(size > 0);
  const deletes: IndexBatch = { writes: [{ op: "delete", path: "pages/a.md" }] };
  assert.equal(packRows(deletes), deletes);
});

test("a batch sent to the writer thread leaves the documents' rows readable here: sent again (a failed batch's retry), it writes the same rows", async () => {
  const g = await tempGraph({});
  const config = await loadConfig(g.config);
  const pools = await createPools(config, await readGraphConfig(config.graph));
  const batch = batchOf();
  const rowsBefore = batch.writes.map((w) => (w.op === "index" ? text(w.doc.blockRows) + text(w.doc.refRows) : ""));
  try {
    const first = await applyBatch(pools.writing, batch);
    assert.deepEqual([first.indexed, first.blocks], [2, 3]);
    assert.deepEqual(batch.writes.map((w) => (w.op === "index" ? text(w.doc.blockRows) + text(w.doc.refRows) : "")), rowsBefore);
    // Written again (the writer finds the same blocks: its diff keeps them), and the tables below are the same.
    const again = await applyBatch(pools.writing, batch);
    assert.equal(again.indexed, 2);
  } finally {
    await pools.close();
  }
  try {
    assert.deepEqual(
      await queryRows(g.database, "SELECT path, content FROM blocks ORDER BY path, position"),
      [
        { path: "pages/a.md", content: "first [[B]]" },
        { path: "pages/a.md", content: "second" },
        { path: "pages/b.md", content: "third #tag" },
      ],
    );
    assert.deepEqual(await queryRows(g.database, "SELECT path, target FROM refs ORDER BY path, target"), [
      { path: "pages/a.md", target: "b" },
      { path: "pages/b.md", target: "tag" },
    ]);
  } finally {
    await g.cleanup();
  }
});

test("the writer thread hands a written batch's packed rows back, and detaches those of a batch that failed", async () => {
  const g = await tempGraph({});
  try {
    // The worker module's exports, called on this thread as piscina calls them in the writer's.
    await writerThread.open({ database: g.database, graph: defaultGraphConfig, limits: DEFAULT_LIMITS });
    const packed = packRows(batchOf());
    assert.ok((packed.rows?.byteLength ?? 0) > 0);
    const answer = transferredValue(await writerThread.apply(packed));
    assert.equal(answer.indexed, 2);
    assert.equal(answer.rows, packed.rows, "the packed buffer goes back, to be transferred with the answer");
    // A batch the writer rolls back: a document whose rows DuckDB cannot read.
    const bad = indexWrite("pages/c.md", "- x\n");
    const failing = packRows({ writes: [{ ...bad, doc: { ...bad.doc, blockRows: new TextEncoder().encode("not a row\n") } }] });
    await assert.rejects(writerThread.apply(failing));
    assert.equal(failing.rows?.byteLength, 0, "a failed batch's buffer is detached: its memory goes at the next scavenge");
    await writerThread.close();
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM blocks"), [{ n: 3 }]);
  } finally {
    await g.cleanup();
  }
});

/** A page whose rows take about `kb` kilobytes. */
function pageOf(path: string, kb: number, word: string): Extract<FileWrite, { op: "index" }> {
  const lines = Array.from({ length: kb * 4 }, (_, i) => `- ${word} ${i} ${"x".repeat(200)}\n`);
  return indexWrite(path, lines.join(""));
}

test("a large batch's buffer comes back from the writer thread and the next large batch is packed into it: stale bytes past its rows change nothing", async () => {
  const g = await tempGraph({});
  const config = await loadConfig(g.config);
  const pools = await createPools(config, await readGraphConfig(config.graph));
  const buffers = new RowBuffers();
  try {
    // About 1.5 MB of rows, then 1.2 MB into the same buffer (its last 0.3 MB still the first batch's), then a small batch.
    const first = await applyBatch(pools.writing, { writes: [pageOf("pages/one.md", 700, "alpha"), pageOf("pages/two.md", 700, "beta")] }, buffers);
    assert.equal(first.indexed, 2);
    assert.equal(buffers.spares, 1, "the first batch's buffer is kept");
    const second = await applyBatch(pools.writing, { writes: [pageOf("pages/three.md", 1100, "gamma")] }, buffers);
    assert.equal(second.indexed, 1);
    assert.equal(buffers.spares, 1, "taken for the second batch and given back: still one");
    const small = await applyBatch(pools.writing, { writes: [indexWrite("pages/four.md", "- delta\n")] }, buffers);
    assert.equal(small.indexed, 1);
    assert.equal(buffers.spares, 0, "a small batch (an edit) drops the spares");
  } finally {
    await pools.close();
  }
  try {
    assert.deepEqual(
      await queryRows(g.database, "SELECT path, count(*)::INTEGER AS blocks, min(split_part(content, ' ', 1)) AS word, max(split_part(content, ' ', 1)) AS also FROM blocks GROUP BY path ORDER BY path"),
      [
        { path: "pages/four.md", blocks: 1, word: "delta", also: "delta" },
        { path: "pages/one.md", blocks: 2800, word: "alpha", also: "alpha" },
        { path: "pages/three.md", blocks: 4400, word: "gamma", also: "gamma" },
        { path: "pages/two.md", blocks: 2800, word: "beta", also: "beta" },
      ],
    );
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM fts_terms WHERE term IN ('alpha', 'beta', 'gamma', 'delta')"), [{ n: 4 }]);
  } finally {
    await g.cleanup();
  }
});

test("RowBuffers keeps at most two large buffers, the largest, and hands out one that fits", () => {
  const buffers = new RowBuffers();
  const mb = RowBuffers.SPARE_MIN_BYTES;
  const [a, b, c] = [new ArrayBuffer(mb), new ArrayBuffer(3 * mb), new ArrayBuffer(2 * mb)];
  buffers.give(new ArrayBuffer(mb - 1));
  assert.equal(buffers.spares, 0, "a small buffer is not kept");
  buffers.give(a);
  buffers.give(b);
  buffers.give(c);
  assert.equal(buffers.spares, 2);
  assert.equal(buffers.take(2 * mb + 1), b);
  assert.equal(buffers.take(2 * mb + 1).byteLength, Math.ceil((2 * mb + 1) * 1.25), "none fits: a new one, a quarter larger");
  assert.equal(buffers.take(mb), c);
  assert.equal(buffers.spares, 0);
  buffers.give(b);
  assert.equal(buffers.take(10).byteLength, 10);
  assert.equal(buffers.spares, 0, "a small batch drops the spares");
});
