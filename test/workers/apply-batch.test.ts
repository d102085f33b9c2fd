import { test } from "node:test";
import assert from "node:assert/strict";
import { applyBatch, packRows } from "../../src/bulkheads/apply-batch.ts";
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

test("the writer thread detaches a batch's packed rows once it is written: their memory goes at its next scavenge, not at a full collection", async () => {
  const g = await tempGraph({});
  try {
    // The worker module's exports, called on this thread as piscina calls them in the writer's.
    await writerThread.open({ database: g.database, graph: defaultGraphConfig, limits: DEFAULT_LIMITS });
    const packed = packRows(batchOf());
    assert.ok((packed.rows?.byteLength ?? 0) > 0);
    const result = await writerThread.apply(packed);
    assert.equal(result.indexed, 2);
    assert.equal(packed.rows?.byteLength, 0, "the packed buffer is detached");
    await writerThread.close();
    assert.deepEqual(await queryRows(g.database, "SELECT count(*)::INTEGER AS n FROM blocks"), [{ n: 3 }]);
  } finally {
    await g.cleanup();
  }
});
