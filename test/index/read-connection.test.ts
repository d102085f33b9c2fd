import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { readStatus } from "../../src/index/status.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

// The writer thread answers search and status through a second connection
// (issue #8: a query during a catch-up must not wait behind the batches).
// It must see committed data only, and must not wait for an open batch.
test("reads through the writer's read connection see the last commit, while a write transaction is open", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-read-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    const c = writer.connection;
    await c.run(`INSERT INTO files VALUES ('a.md', 1, 1, NULL, 'skipped', 'binary', now(), NULL)`);
    await c.run("BEGIN TRANSACTION");
    await c.run(`INSERT INTO files VALUES ('b.md', 1, 1, NULL, 'skipped', 'binary', now(), NULL)`);
    assert.equal((await readStatus(writer.readConnection)).files, 1, "the open transaction's row is not visible");
    assert.equal((await readStatus(writer.connection)).files, 2);
    await c.run("COMMIT");
    assert.equal((await readStatus(writer.readConnection)).files, 2, "visible once committed");
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the writer's DuckDB gets the configured threads and memory limit", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-limits-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig, { threads: 1, memoryLimitMb: 192 });
  try {
    const reader = await writer.connection.runAndReadAll(
      `SELECT current_setting('threads')::INTEGER, current_setting('memory_limit')`,
    );
    const [threads, memory] = reader.getRows()[0] ?? [];
    assert.equal(threads, 1);
    assert.match(String(memory), /^(183\.1 MiB|192\.0 MB|192 MB)$/);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
