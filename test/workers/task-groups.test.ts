import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { Bulkhead, type RunOptions } from "../../src/bulkheads/bulkhead.ts";
import { TaskGroups } from "../../src/bulkheads/task-groups.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { syncFile, type FileSyncContext } from "../../src/pipeline/file-sync.ts";
import type { HashOutcome, HashTask } from "../../src/workers/hash.worker.ts";
import type { ReadParseOutcome, ReadParseTask } from "../../src/workers/parse.worker.ts";
import { tempGraph } from "../support/cli.ts";

/** A real parsing bulkhead whose piscina tasks are recorded: how many files each carried. */
function recordedParsing(graph: unknown): { pool: Bulkhead; groups: number[] } {
  return recorded(new Bulkhead({ name: "parsing", worker: "parse", threads: 2, maxQueue: 64, workerData: { graph }, taskTimeoutMs: 60_000 }));
}

/** Records how many files each of `pool`'s piscina tasks carried. */
function recorded(pool: Bulkhead): { pool: Bulkhead; groups: number[] } {
  const groups: number[] = [];
  const run = pool.run.bind(pool);
  pool.run = <T>(task: unknown, options?: RunOptions): Promise<T> => {
    groups.push((task as { tasks: unknown[] }).tasks.length);
    return run<T>(task, options);
  };
  return { pool, groups };
}

const words = (outcome: ReadParseOutcome | string) =>
  typeof outcome === "string" ? outcome : "parsed" in outcome && outcome.parsed.ok ? new TextDecoder().decode(outcome.parsed.doc.blockRows).match(/"content":"([^"]*)"/)?.[1] : "?";

test("task groups: the files asked for in one turn go in groups of at most maxGroup, each answered with its own outcome", async () => {
  const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`pages/p${i}.md`, `- page number ${i}\n`]));
  const g = await tempGraph(files);
  const { pool, groups } = recordedParsing(await readGraphConfig(g.graph));
  try {
    const reads = new TaskGroups<ReadParseTask, ReadParseOutcome>(pool, "readAndParseGroup", { maxGroup: 16, budgetMs: 60_000 });
    const asked = Array.from({ length: 40 }, (_, i) => reads.run({ path: `pages/p${i}.md`, absolutePath: join(g.graph, `pages/p${i}.md`), maxBytes: 1 << 20 }));
    assert.deepEqual((await Promise.all(asked)).map(words), Array.from({ length: 40 }, (_, i) => `page number ${i}`));
    assert.deepEqual(groups, [16, 16, 8]);
    assert.equal(pool.stats.completed, 40, "the bulkhead counts files, not groups");
    // Asked in a later turn: a group of its own.
    assert.equal(words(await reads.run({ path: "pages/p7.md", absolutePath: join(g.graph, "pages/p7.md"), maxBytes: 1 << 20 })), "page number 7");
    assert.deepEqual(groups, [16, 16, 8, 1]);
  } finally {
    await pool.close();
    await g.cleanup();
  }
});

test("task groups: a thread answers the files done within the budget, and the rest go out again, in order", async () => {
  const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`pages/p${i}.md`, `- page number ${i}\n`]));
  const g = await tempGraph(files);
  const { pool, groups } = recordedParsing(await readGraphConfig(g.graph));
  try {
    // A budget of 0: every thread answers after its group's first file.
    const reads = new TaskGroups<ReadParseTask, ReadParseOutcome>(pool, "readAndParseGroup", { maxGroup: 16, budgetMs: 0 });
    const asked = Array.from({ length: 5 }, (_, i) => reads.run({ path: `pages/p${i}.md`, absolutePath: join(g.graph, `pages/p${i}.md`), maxBytes: 1 << 20 }));
    assert.deepEqual((await Promise.all(asked)).map(words), Array.from({ length: 5 }, (_, i) => `page number ${i}`));
    assert.deepEqual(groups, [5, 4, 3, 2, 1]);
    assert.equal(pool.stats.completed, 5);
  } finally {
    await pool.close();
    await g.cleanup();
  }
});

test("task groups: a group that fails as a whole rejects each of its files; the bulkhead counts each as failed", async () => {
  const g = await tempGraph({ "pages/a.md": "- a\n", "pages/hangs.md": "- never parsed\n", "pages/b.md": "- b\n" });
  const graph = await readGraphConfig(g.graph);
  const pool = new Bulkhead({ name: "parsing", worker: "../../test/resilience/hanging-parse", threads: 1, maxQueue: 16, workerData: { graph }, taskTimeoutMs: 1000 });
  try {
    const reads = new TaskGroups<ReadParseTask, ReadParseOutcome>(pool, "readAndParseGroup", { maxGroup: 16, budgetMs: 60_000 });
    const asked = ["a", "hangs", "b"].map((name) =>
      reads.run({ path: `pages/${name}.md`, absolutePath: join(g.graph, `pages/${name}.md`), maxBytes: 1 << 20 }).then(words, (error: Error) => error.message),
    );
    const timedOut = "parsing task timed out after 1000 ms (pools.parsing.taskTimeoutMs); its thread was replaced";
    assert.deepEqual(await Promise.all(asked), [timedOut, timedOut, timedOut]);
    assert.deepEqual([pool.stats.completed, pool.stats.failed], [0, 3]);
    // The replaced thread takes the next group.
    assert.equal(words(await reads.run({ path: "pages/a.md", absolutePath: join(g.graph, "pages/a.md"), maxBytes: 1 << 20 })), "a");
  } finally {
    await pool.close();
    await g.cleanup();
  }
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

test("hash groups: each file's checksum, size and bytes (transferred, not copied) come back in groups", async () => {
  const texts = Array.from({ length: 20 }, (_, i) => `- page number ${i}\n`);
  const g = await tempGraph(Object.fromEntries(texts.map((text, i) => [`pages/p${i}.md`, text])));
  const { pool, groups } = recorded(new Bulkhead({ name: "hashing", worker: "hash", threads: 1, maxQueue: 16 }));
  try {
    const hashes = new TaskGroups<HashTask, HashOutcome>(pool, "hashGroup", { maxGroup: 16, budgetMs: 60_000 });
    const outcomes = await Promise.all(texts.map((_, i) => hashes.run({ absolutePath: join(g.graph, `pages/p${i}.md`), maxBytes: 1 << 20 })));
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? [o.checksum, o.size, new TextDecoder().decode(o.bytes)] : o.reason)),
      texts.map((text) => [sha256(text), text.length, text]),
    );
    assert.deepEqual(groups, [16, 4]);
  } finally {
    await pool.close();
    await g.cleanup();
  }
});

test("hash groups: when a group fails as a whole, syncFile hashes each of its files alone", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n", "pages/b.md": "- bravo\n" });
  const graph = await readGraphConfig(g.graph);
  const hashing = new Bulkhead({ name: "hashing", worker: "../../test/workers/ungrouped-hash", threads: 1, maxQueue: 16 });
  const parsing = new Bulkhead({ name: "parsing", worker: "parse", threads: 1, maxQueue: 16, workerData: { graph } });
  try {
    const context: FileSyncContext = { graphRoot: g.graph, maxFileSizeBytes: 1 << 20, pools: { hashing, parsing }, claimMove: async () => undefined };
    const writes = await Promise.all(["a", "b"].map((name) => syncFile(context, `pages/${name}.md`, undefined)));
    assert.deepEqual(writes.map((w) => (w.op === "index" ? [w.file.path, w.file.status, w.file.checksum] : w.op)), [
      ["pages/a.md", "indexed", sha256("- alpha\n")],
      ["pages/b.md", "indexed", sha256("- bravo\n")],
    ]);
    // The group of both failed (counted per file), then each file alone.
    assert.deepEqual([hashing.stats.failed, hashing.stats.completed], [2, 2]);
  } finally {
    await hashing.close();
    await parsing.close();
    await g.cleanup();
  }
});
