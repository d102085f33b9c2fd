import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { once } from "node:events";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { makeScratchFolder } from "../../src/index/scratch-folder.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexWrite } from "../support/index-writes.ts";
import { writeAll } from "../../src/index/scratch-rows.ts";

/**
 * The writer stages each batch's rows as NDJSON files for DuckDB's reader.
 * They were named by pid and thread in the shared temp folder, so a file a
 * kill -9 left behind (owned by another user, or anything else in the way)
 * broke a later writer that got the same pid. They now live in a folder of
 * the writer's own (mkdtemp), removed on close.
 */
test("a leftover at the old scratch names does not break the writer; its own scratch folder is gone after close", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-scratch-"));
  const oldNames = ["blocks", "refs"].map((kind) => join(tmpdir(), `sync-pipeline-${process.pid}-${threadId}-${kind}.ndjson`));
  // A folder cannot be opened for writing: as a root-owned file is for another user.
  for (const name of oldNames) await mkdir(name, { recursive: true });
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  const scratch = writer.scratchFolder;
  assert.ok(scratch.startsWith(join(tmpdir(), `sync-pipeline-writer-${process.pid}-`)), scratch);
  assert.equal(existsSync(scratch), true);
  try {
    const result = await writer.apply({ writes: [indexWrite("pages/a.md", "- alpha [[b]]\n- beta\n")] });
    assert.equal(result.indexed, 1);
    assert.equal(result.blocks, 2);
    const refs = await writer.connection.runAndReadAll(`SELECT target FROM refs`);
    assert.deepEqual(refs.getRows(), [["b"]]);
  } finally {
    writer.close();
    for (const name of oldNames) await rm(name, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
  // Its own folder only: other test files' writers may have theirs in the same temp folder meanwhile.
  assert.equal(existsSync(scratch), false, "the writer's scratch folder is removed on close");
  for (const name of oldNames) assert.equal(existsSync(name), false);
});

/**
 * kill -9 skips close, so the folder stays: the kill trials left dozens.
 * The next writer removes those whose process is gone, and nothing else.
 */
test("a new scratch folder removes the folders of writers whose process is gone, and only those", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-orphans-"));
  const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  try {
    const dead = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(dead, "exit");
    const folders = {
      dead: join(dir, `sync-pipeline-writer-${dead.pid}-Ab12Cd`),
      live: join(dir, `sync-pipeline-writer-${sleeper.pid}-Ef34Gh`),
      pidless: join(dir, "sync-pipeline-writer-Ij56Kl"),
      other: join(dir, `sync-pipeline-other-${dead.pid}-Mn78Op`),
    };
    for (const folder of Object.values(folders)) {
      await mkdir(folder);
      await writeFile(join(folder, "blocks.ndjson"), "{}\n");
    }
    const made = makeScratchFolder(dir);
    assert.ok(made.startsWith(join(dir, `sync-pipeline-writer-${process.pid}-`)), made);
    assert.deepEqual((await readdir(dir)).sort(), [made, folders.live, folders.other, folders.pidless].map((f) => f.slice(dir.length + 1)).sort());
  } finally {
    sleeper.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * The scratch files are rewritten in place (no truncation on open: that cost
 * the writer about 25 ms per batch), then cut to the batch's length: a batch
 * smaller than the one before must read its own rows only, not the tail of
 * the earlier rows (same path here, so a stale row would join in as a block).
 */
test("a batch smaller than the one before reads its own staged rows only", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-scratch-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    const long = Array.from({ length: 40 }, (_, i) => `- block ${i} about [[topic ${i}]] with some longer text to fill the line\n`).join("");
    await writer.apply({ writes: [indexWrite("pages/a.md", long), indexWrite("pages/b.md", long)] });
    await writer.apply({ writes: [{ ...indexWrite("pages/a.md", "- short [[x]]\n"), whole: true }] });
    const blocks = await writer.connection.runAndReadAll(`SELECT content FROM blocks WHERE path = 'pages/a.md'`);
    assert.deepEqual(blocks.getRows(), [["short [[x]]"]]);
    const refs = await writer.connection.runAndReadAll(`SELECT target FROM refs WHERE path = 'pages/a.md'`);
    assert.deepEqual(refs.getRows(), [["x"]]);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("staging more row sets than one writev takes (IOV_MAX 1,024) writes every byte, in order, over a longer earlier file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sync-pipeline-scratch-"));
  try {
    const path = join(dir, "rows.ndjson");
    writeAll(path, [new Uint8Array(100_000).fill(120)]);
    const parts = Array.from({ length: 3000 }, (_, i) => new TextEncoder().encode(`{"n":${i}}\n`));
    writeAll(path, parts);
    const lines = readFileSync(path, "utf8").split("\n");
    assert.equal(lines.pop(), "");
    assert.deepEqual(lines, parts.map((_, i) => `{"n":${i}}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
