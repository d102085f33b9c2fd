import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { openDatabase } from "../../src/index/database.ts";
import { SCHEMA_VERSION, SEQ_GAP } from "../../src/index/schema.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { readTreeBlocks } from "../../src/index/page-tree.ts";
import { indexWrite } from "../support/index-writes.ts";

test("an index of schema version 5 gains blocks.seq (key × SEQ_GAP, file order) and blocks.parser_id when opened, and is version 7", async () => {
  const dir = await mkdtemp(join(tmpdir(), "schema-migration-"));
  const database = join(dir, "index.duckdb");
  try {
    let writer = await IndexWriter.open(database, defaultGraphConfig);
    await writer.apply({ writes: [indexWrite("pages/a.md", "- one\n\t- two\n- three\n")] });
    writer.close();
    // What version 5 looked like: no seq column, no parser_id.
    const db = await openDatabase(database, { create: false });
    await db.connection.run(`ALTER TABLE blocks DROP COLUMN parser_id`);
    await db.connection.run(`ALTER TABLE blocks DROP COLUMN seq`);
    await db.connection.run(`UPDATE sync_state SET value = '5' WHERE key = 'schema_version'`);
    db.close();

    writer = await IndexWriter.open(database, defaultGraphConfig);
    try {
      const c = writer.readConnection;
      assert.equal(SCHEMA_VERSION, 7);
      assert.deepEqual((await c.runAndReadAll(`SELECT value FROM sync_state WHERE key = 'schema_version'`)).getRows(), [["7"]]);
      assert.deepEqual((await c.runAndReadAll(`SELECT count(*)::INTEGER FROM blocks WHERE parser_id IS DISTINCT FROM id`)).getRows(), [[0]]);
      assert.deepEqual((await c.runAndReadAll(`SELECT count(*)::INTEGER FROM blocks WHERE seq <> key * ${SEQ_GAP}`)).getRows(), [[0]]);
      assert.deepEqual((await readTreeBlocks(c, "pages/a.md")).map((b) => b.content), ["one", "two", "three"]);
    } finally {
      writer.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an index of schema version 6 gains blocks.parser_id (= id: version 6 kept no ids across edits) when opened; an edit then keeps the edited block's id", async () => {
  const dir = await mkdtemp(join(tmpdir(), "schema-migration-"));
  const database = join(dir, "index.duckdb");
  try {
    let writer = await IndexWriter.open(database, defaultGraphConfig);
    await writer.apply({ writes: [indexWrite("pages/a.md", "- one\n\t- two\n- three\n- four\n")] });
    writer.close();
    // What version 6 looked like: no parser_id column.
    const db = await openDatabase(database, { create: false });
    await db.connection.run(`ALTER TABLE blocks DROP COLUMN parser_id`);
    await db.connection.run(`UPDATE sync_state SET value = '6' WHERE key = 'schema_version'`);
    const before = (await db.connection.runAndReadAll(`SELECT id FROM blocks ORDER BY seq`)).getRows().map((row) => row[0]);
    db.close();

    writer = await IndexWriter.open(database, defaultGraphConfig);
    try {
      const c = writer.readConnection;
      assert.deepEqual((await c.runAndReadAll(`SELECT value FROM sync_state WHERE key = 'schema_version'`)).getRows(), [["7"]]);
      assert.deepEqual((await c.runAndReadAll(`SELECT count(*)::INTEGER FROM blocks WHERE parser_id IS DISTINCT FROM id`)).getRows(), [[0]]);
      await writer.apply({ writes: [indexWrite("pages/a.md", "- one\n\t- two edited\n- three\n- four\n", "a")] });
      assert.equal(writer.writeStats().lastBatch?.incrementalFiles, 1);
      assert.deepEqual((await c.runAndReadAll(`SELECT id FROM blocks ORDER BY seq`)).getRows().map((row) => row[0]), before);
    } finally {
      writer.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
