import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";

async function threshold(writer: IndexWriter): Promise<string> {
  const reader = await writer.connection.runAndReadAll(`SELECT current_setting('checkpoint_threshold')::VARCHAR`);
  return String(reader.getRows()[0]?.[0]);
}

// Until a checkpoint, the WAL's rows (and the old rows of deletes and updates) stay in DuckDB's memory:
// a service living on small batches checkpoints every 16 MB, a bulk catch-up every 256 MB.
test("the checkpoint threshold follows the batch: 16 MB for a batch of up to 64 files, 256 MB above", async () => {
  const dir = await mkdtemp(join(tmpdir(), "checkpoint-policy-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    const pages = (n: number, from: number) => Array.from({ length: n }, (_, i) => indexWrite(`pages/p${from + i}.md`, `- page ${from + i}\n`));
    await writer.apply({ writes: pages(65, 0) });
    assert.equal(await threshold(writer), "256.0 MiB");
    await writer.apply({ writes: pages(64, 100) });
    assert.equal(await threshold(writer), "16.0 MiB");
    await writer.apply({ writes: [{ op: "delete", path: "pages/p0.md" }] });
    assert.equal(await threshold(writer), "16.0 MiB");
    await writer.apply({ writes: pages(1000, 1000) });
    assert.equal(await threshold(writer), "256.0 MiB");
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

// A bulk load's last batch holds whatever the parse threads had left: under the live threshold its commit checkpointed
// the whole load's WAL with the one DuckDB thread a bulk load leaves, instead of the writer's close after the sort.
test("in a bulk load every batch keeps the 256 MB threshold, its small last one too, until the postings are sorted", async () => {
  const dir = await mkdtemp(join(tmpdir(), "checkpoint-policy-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    const pages = (n: number, from: number) => Array.from({ length: n }, (_, i) => indexWrite(`pages/p${from + i}.md`, `- page ${from + i}\n`));
    await writer.startBulkLoad({ threads: 1 });
    await writer.apply({ writes: pages(1000, 0) });
    await writer.apply({ writes: pages(18, 1000) });
    assert.equal(await threshold(writer), "256.0 MiB");
    assert.equal(await writer.clusterPostings(), true);
    await writer.apply({ writes: pages(18, 2000) });
    assert.equal(await threshold(writer), "16.0 MiB");
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
