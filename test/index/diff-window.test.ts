import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { blockOutline } from "../../src/index/block-outline.ts";
import { diffWindow, stateAround } from "../../src/index/diff-window.ts";
import { sizeOfBlocks, sizeOfState } from "../../src/index/diff-state-cache.ts";
import { wholeWriteState } from "../../src/index/diffed-writes.ts";
import { parseFile } from "../../src/logseq/parse.ts";
import { contentOf, indexWrite, parserTreeOf, violationsOf } from "../support/index-writes.ts";

/**
 * Issue #11: a diffed write of a large page looks only at the window
 * between the blocks that kept their key and place at the start and end
 * (diff-window.ts). Edits that move the tree around the window (indent,
 * a top-level insert that shifts later siblings, a deleted parent) and a
 * kept id taken back outside the window must leave the tables a whole
 * rewrite leaves.
 */
const PATH = "pages/window.md";
const N = 1200;
/** The writers' page: smaller, for time (the window does not depend on the page's size). */
const M = 240;

type Line = { text: string; depth: number };

/** Every third block top-level, the two after it its children. */
function lines(n = N): Line[] {
  return Array.from({ length: n }, (_, i) => ({ text: `entry ${i} note${i % 13}`, depth: i % 3 === 0 ? 0 : 1 }));
}

function render(page: Line[]): string {
  return page.map((l) => `${"\t".repeat(l.depth)}- ${l.text}\n`).join("");
}

function outlineOf(page: Line[]) {
  return blockOutline(parseFile(PATH, render(page), defaultGraphConfig).blocks).outline;
}

test("the window of a one-block edit is that block (with its children); an indent takes in the blocks whose parent changed; a top-level insert the siblings after it", () => {
  const page = lines();
  const state = wholeWriteState(outlineOf(page), 0n);
  const edited = lines();
  (edited[601] as Line).text = "entry 601 edited";
  let window = diffWindow(state, outlineOf(edited));
  assert.deepEqual([window.start, window.before.length, window.after.length], [601, 1, 1]);
  assert.deepEqual([window.lo, window.hi], [600n * 4096n, 602n * 4096n]);
  // A parent's edit may give it a new id: its children's parent_id then changes too.
  (edited[600] as Line).text = "entry 600 edited";
  window = diffWindow(state, outlineOf(edited));
  assert.deepEqual([window.start, window.before.length], [600, 3]);

  // Block 602 indented under its sibling 601: only its place changed.
  const indented = lines();
  (indented[602] as Line).depth = 2;
  window = diffWindow(state, outlineOf(indented));
  assert.deepEqual([window.start, window.before.length], [602, 1]);
  // Block 600 (top-level, two children) indented under 597: it, its children and the top-level blocks after it
  // (one position earlier now) with their children.
  (indented[600] as Line).depth = 1;
  (indented[601] as Line).depth = 2;
  window = diffWindow(state, outlineOf(indented));
  assert.deepEqual([window.start, window.before.length], [600, N - 600]);

  // A top-level block inserted at 900: the 100 top-level blocks after it shift position, their children follow.
  const inserted = lines();
  inserted.splice(900, 0, { text: "a new top-level block", depth: 0 });
  window = diffWindow(state, outlineOf(inserted));
  assert.deepEqual([window.start, window.before.length, window.after.length], [900, N - 900, N - 900 + 1]);
});

test("diffed writes through windows leave the same tables as whole rewrites: edits, indents, inserts, deletes, an id kept and taken back", async () => {
  const dir = await mkdtemp(join(tmpdir(), "diff-window-"));
  const diffing = await IndexWriter.open(join(dir, "diff.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, maxChangedFraction: 1, warmMinBlocks: 0 });
  const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
  try {
    const page = lines(M);
    const steps: [string, (p: Line[]) => void][] = [
      ["edit a parent", (p) => ((p[120] as Line).text = "entry 120 edited")],
      // Its parent is before the window, under the id its edit kept.
      ["edit its child", (p) => ((p[121] as Line).text = "entry 121 edited")],
      // Blocks 238 and 239 move from under 237 to under 234, at the same positions and level.
      ["delete two children and the parent after them", (p) => p.splice(235, 3)],
      ["indent a parent", (p) => {
        (p[60] as Line).depth = 1;
        (p[61] as Line).depth = 2;
        (p[62] as Line).depth = 2;
      }],
      ["insert top-level", (p) => p.splice(180, 0, { text: "a new top-level block", depth: 0 })],
      ["delete a parent", (p) => p.splice(90, 1)],
      ["an edit repeats a later block's text", (p) => ((p[100] as Line).text = "entry 200 note5")],
      // Block 20's id was kept across its edit; a block far from it now derives that id (its old text).
      ["edit", (p) => ((p[20] as Line).text = "entry 20 changed")],
      ["old text elsewhere", (p) => ((p[220] as Line).text = "entry 20 note7")],
      ["outdent", (p) => ((p[200] as Line).depth = 0)],
      ["append", (p) => p.push({ text: "last", depth: 1 })],
      ["delete the first", (p) => p.splice(0, 1)],
    ];
    for (const writer of [diffing, whole]) await writer.apply({ writes: [indexWrite(PATH, render(page))] });
    for (const [name, change] of steps) {
      change(page);
      const write = indexWrite(PATH, render(page), "window");
      for (const writer of [diffing, whole]) await writer.apply({ writes: [write] });
      assert.equal(diffing.writeStats().lastBatch?.incrementalFiles, 1, name);
      assert.deepEqual(await contentOf(diffing.readConnection), await contentOf(whole.readConnection), name);
      assert.deepEqual(await parserTreeOf(diffing.readConnection, PATH), await parserTreeOf(whole.readConnection, PATH), name);
      assert.deepEqual(await violationsOf(diffing.readConnection), [], name);
    }
  } finally {
    diffing.close();
    whole.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a state made from a cached one around a window is sized from it, to the byte its blocks give", () => {
  const state = wholeWriteState(outlineOf(lines()), 0n);
  assert.equal(sizeOfState(state), 64 + sizeOfBlocks(state));
  const edited = lines();
  (edited[601] as Line).text = "entry 601 edited at some length";
  (edited[602] as Line).depth = 2;
  const outline = outlineOf(edited);
  const window = diffWindow(state, outline);
  const next = stateAround(state, window, window.after, outline);
  assert.notEqual(sizeOfBlocks(window.before), sizeOfBlocks(window.after));
  assert.equal(sizeOfState(next), 64 + sizeOfBlocks(next));
});
