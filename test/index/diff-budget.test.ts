import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, parserTreeOf, violationsOf } from "../support/index-writes.ts";

function page(blocks: number, round: number, name: string): string {
  let text = "";
  for (let i = 0; i < blocks; i++) text += `- ${i === 1 ? `edited in round ${round} of ${name}` : `entry${i} of ${name}`}\n`;
  return text;
}

// A batch of many edited pages (a git pull) is diffed only within its budget: one diff is ~20
// statements of its own (60–80 s for 500 pages), a whole rewrite joins the batch's set-based ones.
test("a batch of 20 edited small pages and one large page: the large one and the first 8 small ones are diffed, 12 rewritten whole, same tables as all whole", async () => {
  const dir = await mkdtemp(join(tmpdir(), "diff-budget-"));
  const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig);
  const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
  try {
    assert.deepEqual(DEFAULT_WRITE_OPTIONS.diffBudget, { maxSmall: 8, alwaysBlocks: 1000 });
    const small = Array.from({ length: 20 }, (_, i) => `pages/small${String(i).padStart(2, "0")}.md`);
    const large = "pages/zz-large.md";
    const round = (n: number) => [...small.map((path, i) => indexWrite(path, page(5, n, `s${i}`), `small${i}`)), indexWrite(large, page(1000, n, "large"), "zz-large")];
    for (const writer of [incremental, whole]) await writer.apply({ writes: round(0) });
    for (const writer of [incremental, whole]) await writer.apply({ writes: round(1) });
    assert.deepEqual(incremental.writeStats().lastBatch, { rowsTouched: incremental.writeStats().lastBatch?.rowsTouched, incrementalFiles: 9, wholeFiles: 12 });
    assert.deepEqual(whole.writeStats().lastBatch, { rowsTouched: whole.writeStats().lastBatch?.rowsTouched, incrementalFiles: 0, wholeFiles: 21 });
    assert.deepEqual(await contentOf(incremental.readConnection), await contentOf(whole.readConnection));
    for (const path of [...small, large]) assert.deepEqual(await parserTreeOf(incremental.readConnection, path), await parserTreeOf(whole.readConnection, path), path);
    assert.deepEqual(await violationsOf(incremental.readConnection), []);
    // A batch of one small page is within any budget.
    await incremental.apply({ writes: [indexWrite(small[19] as string, page(5, 2, "s19"), "small19")] });
    assert.deepEqual(incremental.writeStats().lastBatch?.incrementalFiles, 1);
  } finally {
    incremental.close();
    whole.close();
    await rm(dir, { recursive: true, force: true });
  }
});
