import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { DuckDBInstance } from "../../src/index/duckdb.ts";
import { blockRowsFrom } from "../../src/index/block-row-reader.ts";
import { serialiseBlocks } from "../../src/index/block-rows.ts";
import { tokenize } from "../../src/index/tokenize.ts";
import type { ParsedBlock } from "../../src/logseq/types.ts";

// A block's line leaves out what is null or false (block-rows.ts): DuckDB must read it back as the block,
// the left-out fields as their defaults, whichever of them a line holds.

const PIECES = ["ABC", "x_y", "42", "[[Page]]", "#tag", " ", "\n", "\"", "\\", "\u0000", "é", "東京", "😀", "B".repeat(65)];
const content = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 })), { maxLength: 10 }).map((p) => p.join(""));

function block(content: string, ord: number): ParsedBlock {
  return {
    id: `b${ord}`, parent: ord > 0 && ord % 3 === 0 ? ord - 1 : -1, position: ord, level: 1, content, properties: ord % 4 === 1 ? { k: "v" } : {},
    marker: ord % 5 === 2 ? "TODO" : null, priority: ord % 8 === 4 ? "A" : null, scheduled: ord % 7 === 3 ? 20240115 : null,
    deadline: ord % 9 === 6 ? 20240131 : null, repeater: ord % 10 === 7 ? ".+1d" : null,
    refs: [], preBlock: ord % 6 === 5,
  };
}

test("DuckDB reads a block row as the block it was written from, the fields a line leaves out as NULL (pre_block false)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "row-reader-"));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const contents = [...fc.sample(content, { numRuns: 500, seed: 8 }), "", "Café naïve 東京"];
    const blocks = contents.map(block);
    const file = join(dir, "rows.json");
    await writeFile(file, serialiseBlocks("pages/a.md", blocks).blockRows);
    const reader = await connection.runAndReadAll(
      `SELECT ord, id, parent_id, content, properties, marker, priority, scheduled, deadline, repeater, pre_block, length, tokens FROM ${blockRowsFrom(`'${file}'`)} ORDER BY ord`,
    );
    const rows = reader.getRowObjectsJson();
    assert.equal(rows.length, blocks.length);
    for (const [ord, row] of rows.entries()) {
      const b = blocks[ord] as ParsedBlock;
      const expected = tokenize(b.content);
      assert.deepEqual(
        { content: row.content, tokens: row.tokens, length: row.length },
        { content: b.content, tokens: expected.join(" "), length: expected.length },
        JSON.stringify(b.content),
      );
      assert.deepEqual(
        [row.ord, row.id, row.parent_id, row.properties === null ? null : JSON.parse(String(row.properties)), row.marker, row.priority, row.scheduled,
          row.deadline, row.repeater, row.pre_block],
        [String(ord), b.id, b.parent >= 0 ? `b${b.parent}` : null, ord % 4 === 1 ? { k: "v" } : null, b.marker, b.priority, b.scheduled, b.deadline,
          b.repeater, b.preBlock],
      );
    }
    // Lines with and without each optional field were read.
    const lines = new TextDecoder().decode(serialiseBlocks("pages/a.md", blocks).blockRows).split("\n");
    for (const key of ["parent_id", "properties", "marker", "priority", "scheduled", "deadline", "repeater", "pre_block"]) {
      const holding = lines.filter((line) => line.includes(`"${key}":`)).length;
      assert.ok(holding > 25 && holding < blocks.length - 25, `${key}: ${holding} of ${blocks.length}`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
});
