import type { ParseMemory } from "../../src/index/partial-parse.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, parserTreeOf, violationsOf } from "../support/index-writes.ts";

/**
 * Issue #11: for random edit sequences, a writer applying block diffs and one
 * rewriting the whole file leave the same tables (apart from internal keys)
 * and the same block order. A third writer gets partial documents, as the
 * parse worker builds them for a large file it parsed before (rows only for
 * blocks whose keys the previous parse lacked), and keeps pages it wrote
 * whole in its diff cache: given the keys of the previous version, or in a
 * "stale" run of the one before it, as when a parse's write was dropped.
 * INCR_RUNS=200 for a longer search.
 */
const RUNS = Number(process.env["INCR_RUNS"] ?? 8);

type Block = { text: string; level: number; props: [string, string][] };

const WORDS = ["alpha", "beta", "[[Gamma]]", "#delta", "TODO task", "alpha beta", "see ((66a0c3e2-0000-4000-8000-000000000001))"];

/** Logseq Markdown of the model page; a block's level is kept within one of its predecessor's so the outline stays valid. */
function render(blocks: Block[]): string {
  let text = "";
  let previous = -1;
  for (const b of blocks) {
    const level = Math.min(b.level, previous + 1);
    previous = level;
    const indent = "\t".repeat(level);
    text += `${indent}- ${b.text}\n`;
    for (const [key, value] of b.props) text += `${indent}  ${key}:: ${value}\n`;
  }
  return text;
}

type Op =
  | { kind: "insert"; at: number; block: Block }
  | { kind: "delete"; at: number }
  | { kind: "move"; from: number; to: number }
  | { kind: "indent"; at: number; by: 1 | -1 }
  | { kind: "property"; at: number; key: string; value: string }
  | { kind: "id"; at: number; id: string }
  | { kind: "edit"; at: number; text: string };

const text = fc.constantFrom(...WORDS).chain((w) => fc.nat(30).map((n) => `${w} ${n}`));
const block = fc.record({ text, level: fc.nat(2), props: fc.constant([] as [string, string][]) });
// Edits, property and id:: changes aim at the first few blocks, so they meet one another (an id:: block edited later).
const near = fc.nat(3);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), block }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("move" as const), from: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), by: fc.constantFrom(1 as const, -1 as const) }),
  fc.record({ kind: fc.constant("property" as const), at: near, key: fc.constantFrom("status", "tags", "rank"), value: fc.constantFrom("open", "done", "[[Gamma]]", "3") }),
  fc.record({ kind: fc.constant("id" as const), at: near, id: fc.uuid() }),
  fc.record({ kind: fc.constant("edit" as const), at: near, text }),
);

function step(blocks: Block[], o: Op): Block[] {
  const next = blocks.map((b) => ({ ...b, props: [...b.props] }));
  const n = next.length;
  switch (o.kind) {
    case "insert":
      next.splice(o.at % (n + 1), 0, { ...o.block, props: [] });
      return next;
    case "delete":
      if (n > 0) next.splice(o.at % n, 1);
      return next;
    case "move": {
      if (n === 0) return next;
      const [moved] = next.splice(o.from % n, 1);
      next.splice(o.to % n, 0, moved as Block);
      return next;
    }
    case "indent": {
      const b = next[o.at % Math.max(n, 1)];
      if (b !== undefined) b.level = Math.max(0, Math.min(3, b.level + o.by));
      return next;
    }
    case "property":
    case "id": {
      const b = next[o.at % Math.max(n, 1)];
      if (b === undefined) return next;
      const [key, value] = o.kind === "id" ? ["id", o.id] : [o.key, o.value];
      b.props = [...b.props.filter(([k]) => k !== key), [key, value]];
      return next;
    }
    case "edit": {
      const b = next[o.at % Math.max(n, 1)];
      if (b !== undefined) b.text = o.text;
      return next;
    }
  }
}

test(`random edit sequences: block diffs and whole-file rewrites leave the same tables and order (${RUNS} runs)`, async () => {
  const dir = await mkdtemp(join(tmpdir(), "incr-prop-"));
  // Every diff applied, however much changed, so the diff path is what is tested.
  const incremental = await IndexWriter.open(join(dir, "incr.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, maxChangedFraction: 1 });
  const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
  // The default fraction: a partial document also goes the whole-file way (a page with half its blocks deleted).
  const partial = await IndexWriter.open(join(dir, "partial.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, warmMinBlocks: 0 });
  let run = 0;
  let diffed = 0;
  let partialDocs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(block, { maxLength: 12 }), fc.array(op, { minLength: 1, maxLength: 10 }), fc.boolean(), async (start, ops, stale) => {
        const path = `pages/p${run++}.md`;
        let blocks = start;
        let seed: string | undefined;
        const keys: ParseMemory[] = [];
        for (const o of [null, ...ops]) {
          if (o !== null) blocks = step(blocks, o);
          const write = indexWrite(path, render(blocks), seed);
          seed = write.file.idSeed ?? undefined;
          for (const writer of [incremental, whole]) await writer.apply({ writes: [write] });
          const previous = stale ? keys.at(-2) : keys.at(-1);
          const partialWrite = indexWrite(path, render(blocks), seed, previous);
          keys.push(partialWrite.keys);
          await partial.apply({ writes: [partialWrite] });
          diffed += incremental.writeStats().lastBatch?.incrementalFiles ?? 0;
          partialDocs += partialWrite.doc.source === null ? 0 : 1;
          const expected = await contentOf(whole.readConnection);
          assert.deepEqual(await contentOf(incremental.readConnection), expected);
          assert.deepEqual(await contentOf(partial.readConnection), expected);
          const tree = await parserTreeOf(whole.readConnection, path);
          assert.deepEqual(await parserTreeOf(incremental.readConnection, path), tree);
          assert.deepEqual(await parserTreeOf(partial.readConnection, path), tree);
          assert.deepEqual(await violationsOf(incremental.readConnection), []);
          assert.deepEqual(await violationsOf(partial.readConnection), []);
        }
      }),
      { numRuns: RUNS },
    );
  } finally {
    incremental.close();
    whole.close();
    partial.close();
    await rm(dir, { recursive: true, force: true });
  }
  // The diff path ran (a run's first write and page-level changes go whole).
  assert.ok(diffed >= RUNS, `only ${diffed} writes went through the diff`);
  assert.ok(partialDocs >= RUNS, `only ${partialDocs} partial documents`);
});
