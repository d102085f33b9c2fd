import { test } from "node:test";
import assert from "node:assert/strict";
import { Bulkhead } from "../../src/bulkheads/bulkhead.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import type { ParseOutcome } from "../../src/workers/parse.worker.ts";

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
